package hostprobe

import (
	"strconv"
	"strings"
)

// The service control manager's numeric codes, spelled out here rather than
// taken from golang.org/x/sys/windows so that the mapping compiles, and is
// tested, on every OS.
const (
	svcStopped         uint32 = 1 // SERVICE_STOPPED
	svcStartPending    uint32 = 2 // SERVICE_START_PENDING
	svcStopPending     uint32 = 3 // SERVICE_STOP_PENDING
	svcRunning         uint32 = 4 // SERVICE_RUNNING
	svcContinuePending uint32 = 5 // SERVICE_CONTINUE_PENDING
	svcPausePending    uint32 = 6 // SERVICE_PAUSE_PENDING
	svcPaused          uint32 = 7 // SERVICE_PAUSED

	svcBootStart   uint32 = 0 // SERVICE_BOOT_START
	svcSystemStart uint32 = 1 // SERVICE_SYSTEM_START
	svcAutoStart   uint32 = 2 // SERVICE_AUTO_START
	svcDemandStart uint32 = 3 // SERVICE_DEMAND_START
	svcDisabled    uint32 = 4 // SERVICE_DISABLED
)

// ServiceStateName names a SERVICE_STATUS CurrentState code. An unknown code
// keeps its number so that a recording shows what Windows said instead of
// hiding it behind a guess.
func ServiceStateName(state uint32) string {
	switch state {
	case svcStopped:
		return "stopped"
	case svcStartPending:
		return "start-pending"
	case svcStopPending:
		return "stop-pending"
	case svcRunning:
		return "running"
	case svcContinuePending:
		return "continue-pending"
	case svcPausePending:
		return "pause-pending"
	case svcPaused:
		return "paused"
	}
	return "state-" + itoa(state)
}

// ServiceStartTypeName names a QUERY_SERVICE_CONFIG StartType. Windows keeps
// delayed auto start as a separate flag beside SERVICE_AUTO_START, and the flag
// means nothing for the other start types, so it is only consulted for auto.
func ServiceStartTypeName(startType uint32, delayed bool) string {
	switch startType {
	case svcBootStart:
		return "boot"
	case svcSystemStart:
		return "system"
	case svcAutoStart:
		if delayed {
			return "delayed-auto"
		}
		return "auto"
	case svcDemandStart:
		return "manual"
	case svcDisabled:
		return "disabled"
	}
	return "start-" + itoa(startType)
}

// EditionName maps the registry's InstallationType to an edition. Server Core
// and Nano Server are still servers for the claims, which only ask whether the
// host is a server or a client SKU.
func EditionName(installationType string) string {
	t := strings.TrimSpace(installationType)
	switch strings.ToLower(t) {
	case "server", "server core", "nano server":
		return "server"
	case "client":
		return "client"
	}
	return strings.ToLower(t)
}

// Product types of OSVERSIONINFOEX.wProductType (Microsoft Learn,
// "OSVERSIONINFOEXW structure"): VER_NT_WORKSTATION 1, VER_NT_DOMAIN_CONTROLLER
// 2, VER_NT_SERVER 3.
const (
	ProductWorkstation      = "workstation"
	ProductDomainController = "domain-controller"
	ProductServer           = "server"
)

// ProductTypeName names RtlGetVersion's wProductType. A domain controller is
// a server for the daemon (only VER_NT_WORKSTATION is a client); an unknown
// code keeps its number.
func ProductTypeName(productType uint8) string {
	switch productType {
	case 1:
		return ProductWorkstation
	case 2:
		return ProductDomainController
	case 3:
		return ProductServer
	}
	return "product-" + itoa(uint32(productType))
}

func itoa(n uint32) string { return strconv.FormatUint(uint64(n), 10) }
