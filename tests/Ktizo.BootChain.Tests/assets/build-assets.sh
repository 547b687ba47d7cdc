#!/usr/bin/env bash
# Builds the two boot assets the PXE boot test serves as /talos/vmlinuz and /talos/initramfs.xz:
#   vmlinuz        Debian's cloud kernel (virtio drivers, boots fastest under emulation), from
#                  `apt-get download`: nothing is installed on the host.
#   initramfs.xz   busybox plus talos-standin-init, which does what Talos does up to its config.
# Real Talos images cannot be fetched here. Nothing binary is committed: the result is cached in
# $KTIZO_BOOT_ASSETS (default /var/cache/ktizo/boot-test) and rebuilt when the kernel package or
# this folder's scripts change. Prints the folder on its last line.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${KTIZO_BOOT_ASSETS:-/var/cache/ktizo/boot-test}

fail() { echo "build-assets: $*" >&2; exit 2; }
for tool in apt-cache apt-get dpkg-deb depmod modprobe cpio xz; do
  command -v "$tool" >/dev/null || fail "'$tool' is missing (run tests/install-deps.sh as root)"
done
busybox=/bin/busybox
# The list is read whole before it is searched: busybox writes it one name per write(), so under
# pipefail a `| grep -q` that stops at the first match can kill it with SIGPIPE and fail the check.
applets=$([ -x "$busybox" ] && "$busybox" --list) || true
grep -qx udhcpc <<<"$applets" || fail "busybox-static is missing (run tests/install-deps.sh as root)"

# The current kernel ABI behind a small virtual-machine flavour: Debian's cloud kernel
# (linux-image-6.1.0-56-cloud-amd64), or on Ubuntu the kvm flavour (virtio built in).
find_image() {
  for meta in linux-image-cloud-amd64 linux-image-kvm; do
    # awk reads to the end (no early exit) so apt-cache never meets a closed pipe under pipefail.
    apt-cache depends "$meta" 2>/dev/null | awk '/Depends: linux-image-[0-9]/ && !found { print $2; found = 1 }' | grep . && return 0
  done
  return 1
}
image=$(find_image) || { apt-get update -qq; image=$(find_image) || true; }
[ -n "$image" ] || fail "cannot find a cloud or kvm kernel package (apt-cache depends linux-image-cloud-amd64 or linux-image-kvm)"
version=$(apt-cache policy "$image" | awk '/Candidate:/ { print $2 }')

stamp="$image $version $(cat "$here/build-assets.sh" "$here/talos-standin-init" | sha256sum | cut -c1-16)"
if [ -f "$out/stamp" ] && [ "$(cat "$out/stamp")" = "$stamp" ] && [ -s "$out/vmlinuz" ] && [ -s "$out/initramfs.xz" ]; then
  echo "$out"
  exit 0
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "build-assets: fetching $image $version" >&2
(cd "$work" && apt-get download -qq -o APT::Sandbox::User=root "$image") || fail "apt-get download $image failed"
dpkg-deb -x "$work"/linux-image-*.deb "$work/kernel"
kver=${image#linux-image-}
[ -f "$work/kernel/boot/vmlinuz-$kver" ] || fail "the package has no /boot/vmlinuz-$kver"
# The package ships no modules.dep; without it modprobe cannot resolve the NIC drivers' dependencies.
depmod -b "$work/kernel" "$kver"

root="$work/root"
mkdir -p "$root"/{bin,dev,proc,sys,tmp,etc,lib/modules}
cp "$busybox" "$root/bin/busybox"
for applet in $("$busybox" --list); do
  [ "$applet" = busybox ] || ln -sf busybox "$root/bin/$applet"
done
# The NIC drivers and what they depend on, in load order (virtio for QEMU, e1000 if the kernel has it).
modules="$root/lib/modules/load"
: >"$modules"
for m in virtio_pci virtio_net e1000; do
  { modprobe -d "$work/kernel" -S "$kver" --show-depends "$m" 2>/dev/null || true; } | awk '$1 == "insmod" { print $2 }' |
    while read -r ko; do
      name=$(basename "$ko")
      grep -qx "$name" "$modules" && continue
      cp "$ko" "$root/lib/modules/$name"
      echo "$name" >>"$modules"
    done
done
install -m 755 "$here/talos-standin-init" "$root/init"

mkdir -p "$out.new"
cp "$work/kernel/boot/vmlinuz-$kver" "$out.new/vmlinuz"
# The kernel only unpacks xz with CRC32 checks.
(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet --owner=0:0 | xz -9 --check=crc32 >"$out.new/initramfs.xz")
echo "$stamp" >"$out.new/stamp"
rm -rf "$out"
mkdir -p "$(dirname "$out")"
mv "$out.new" "$out"
echo "build-assets: built $out ($(du -sh "$out" | cut -f1))" >&2
echo "$out"
