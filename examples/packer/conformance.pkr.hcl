# A Packer build of a Windows container host image that ends with the gate:
# the binary is uploaded and run on the build VM, its JUnit and JSON report are
# downloaded next to the template (publish them the way the CI that runs
# Packer does, e.g. PublishTestResults), and the build fails when the gate
# fails, so no image is captured from a host with a failing required claim.
# Build the binary first: make windows-exe; or put a pinned release's
# conformance-gate.exe there, its checksum verified (docs/releases.md).

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

variable "profile" {
  type        = string
  default     = "ws2022"
  description = "CONFORMANCE_PROFILE: what this image must be (ws2019, ws2022, ws2025, ...)"
}

variable "subscription_id" {
  type = string
}

variable "resource_group" {
  type = string
}

source "azure-arm" "ws2022" {
  use_azure_cli_auth                = true
  subscription_id                   = var.subscription_id
  managed_image_resource_group_name = var.resource_group
  managed_image_name                = "ws2022-containers-${formatdate("YYYYMMDDhhmm", timestamp())}"
  os_type                           = "Windows"
  image_publisher                   = "MicrosoftWindowsServer"
  image_offer                       = "WindowsServer"
  image_sku                         = "2022-datacenter-g2"
  location                          = "westeurope"
  vm_size                           = "Standard_D4s_v5" # Dv5 sizes support nested virtualization, which Hyper-V isolation needs
  communicator                      = "winrm"
  winrm_use_ssl                     = true
  winrm_insecure                    = true
  winrm_timeout                     = "10m"
  winrm_username                    = "packer"
}

build {
  sources = ["source.azure-arm.ws2022"]

  # ... the provisioners that install Containers, Hyper-V and the engine, and restart ...

  provisioner "file" {
    source      = var.gate_binary
    destination = "C:/conformance/conformance-gate.exe"
  }

  # Run the gate, keep its exit code: the results are downloaded before the build is failed.
  provisioner "powershell" {
    environment_vars = ["CONFORMANCE_PROFILE=${var.profile}"]
    inline = [
      "& C:/conformance/conformance-gate.exe -test.v",
      "Set-Content -Path C:/conformance/exit-code.txt -Value $LASTEXITCODE",
    ]
  }

  provisioner "file" {
    direction   = "download"
    source      = "C:/conformance/conformance-junit.xml"
    destination = "conformance-junit.xml"
  }

  provisioner "file" {
    direction   = "download"
    source      = "C:/conformance/conformance-report.json"
    destination = "conformance-report.json"
  }

  # The gate's exit code fails the build (valid_exit_codes defaults to [0]), and
  # with it the image: nothing is captured from a host that failed the gate.
  provisioner "powershell" {
    inline = [
      "$code = [int](Get-Content C:/conformance/exit-code.txt)",
      "Remove-Item -Recurse -Force C:/conformance",
      "if ($code -ne 0) { Write-Error \"conformance gate failed (exit code $code): see conformance-junit.xml\" }",
      "exit $code",
    ]
  }

  # ... sysprep and generalize ...
}
