# The gate as the last step of a Kubernetes Windows node image build in the
# style of kubernetes-sigs/image-builder (images/capi/packer/azure, Windows
# with containerd): after the containerd role has installed containerd, its
# config.toml, the CNI config and the sandbox image, the gate runs a pod per
# runtime handler through CRI and fails the build when a required claim fails,
# so no node image is captured whose hypervisor handler gets no utility VM.
# image-builder's goss checks read configuration; this step proves behaviour.
# Build the binary first: make windows-exe.

packer {
  required_plugins {
    azure = {
      source  = "github.com/hashicorp/azure"
      version = ">= 2.0.0"
    }
  }
}

variable "gate_binary" {
  type        = string
  default     = "dist/conformance-gate.exe"
  description = "the gate built by make windows-exe"
}

variable "subscription_id" {
  type = string
}

variable "resource_group" {
  type = string
}

source "azure-arm" "windows-2022-containerd" {
  use_azure_cli_auth                = true
  subscription_id                   = var.subscription_id
  managed_image_resource_group_name = var.resource_group
  managed_image_name                = "capi-windows-2022-containerd-${formatdate("YYYYMMDDhhmm", timestamp())}"
  os_type                           = "Windows"
  image_publisher                   = "MicrosoftWindowsServer"
  image_offer                       = "WindowsServer"
  image_sku                         = "2022-datacenter-core-g2"
  location                          = "westeurope"
  vm_size                           = "Standard_D4s_v5" # nested virtualization, which the hypervisor handler needs
  communicator                      = "winrm"
  winrm_use_ssl                     = true
  winrm_insecure                    = true
  winrm_timeout                     = "10m"
  winrm_username                    = "packer"
}

build {
  sources = ["source.azure-arm.windows-2022-containerd"]

  # ... image-builder's ansible roles: Containers and Hyper-V, containerd and its config.toml, CNI, the sandbox image, kubelet ...

  provisioner "file" {
    source      = var.gate_binary
    destination = "C:/conformance/conformance-gate.exe"
  }

  # The gate through CRI, before the node joins a cluster: containerd's pipe
  # is the default endpoint (CONTAINER_RUNTIME_ENDPOINT, as crictl reads it).
  provisioner "powershell" {
    environment_vars = ["CONFORMANCE_PROFILE=containerd-node"]
    inline = [
      "& C:/conformance/conformance-gate.exe -test.v",
      "Set-Content -Path C:/conformance/exit-code.txt -Value $LASTEXITCODE",
    ]
  }

  provisioner "file" {
    direction   = "download"
    source      = "C:/conformance/conformance-junit.xml"
    destination = "conformance-containerd-junit.xml"
  }

  # The gate's exit code fails the build, and with it the image.
  provisioner "powershell" {
    inline = [
      "$code = [int](Get-Content C:/conformance/exit-code.txt)",
      "Remove-Item -Recurse -Force C:/conformance",
      "if ($code -ne 0) { Write-Error \"conformance gate failed (exit code $code): see conformance-containerd-junit.xml\" }",
      "exit $code",
    ]
  }

  # ... sysprep and generalize ...
}
