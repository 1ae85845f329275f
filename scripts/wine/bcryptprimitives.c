/*
 * bcryptprimitives.dll for Wine 8.0, which lacks it: Go's runtime since 1.22
 * takes its random bytes from bcryptprimitives!ProcessPrng
 * (https://learn.microsoft.com/windows/win32/seccng/processprng) and does not
 * start without it. Windows has the real DLL; this shim exists only for the
 * Wine prefix of `make wine` and forwards to advapi32's RtlGenRandom
 * (SystemFunction036), which Wine implements.
 */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length)
{
    while (length > 0) {
        ULONG chunk = length > 0x10000000 ? 0x10000000 : (ULONG)length;
        if (!SystemFunction036(data, chunk))
            return FALSE;
        data += chunk;
        length -= chunk;
    }
    return TRUE;
}
