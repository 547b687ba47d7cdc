#!/usr/bin/env bash
# Installs what the tests need, only when it is missing. Safe to run again.
# Works on a fresh Debian 12 machine as root; as another user it names what is missing and fails.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
# git: the fixtures make real repositories with the command-line client too.
command -v git >/dev/null || need+=(git)
# openssl: the secrets tests check the generated keys and certificates with it (tests/Ktizo.Secrets.Tests).
command -v openssl >/dev/null || need+=(openssl)
# age: the age-format tests check Ktizo against the real age and age-keygen both ways (tests/Ktizo.Secrets.Tests/Age).
command -v age >/dev/null && command -v age-keygen >/dev/null || need+=(age)
# chromium: the UI tests drive Debian's Chromium through Playwright (never a browser download).
[ -x /usr/bin/chromium ] || need+=(chromium fonts-dejavu-core)

# The PXE boot test (tests/Ktizo.BootChain.Tests): real dnsmasq, iPXE, QEMU and OVMF, and busybox
# for the initramfs that stands in for Talos. dnsmasq-base, not dnsmasq: no system service is started.
# iproute2 for the network namespace; kmod for depmod/modprobe when laying out the kernel's modules.
boot_packages=(dnsmasq-base ipxe ipxe-qemu qemu-system-x86 busybox-static ovmf iproute2 kmod cpio xz-utils)
for p in "${boot_packages[@]}"; do
  [ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" = "install ok installed" ] || need+=("$p")
done

if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "tests need these Debian packages: ${need[*]} (run as root, or install them)" >&2
    exit 2
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}"
fi

# The kernel and the Talos stand-in initramfs for the boot test: built once, then cached. The boot
# test needs root anyway (namespaces, taps) and says so when it runs; without root, leave them out.
if [ "$(id -u)" -eq 0 ]; then
  bash tests/Ktizo.BootChain.Tests/assets/build-assets.sh >/dev/null
else
  echo "not root: the PXE boot test's assets are not built, and that test will fail saying it needs root" >&2
fi
