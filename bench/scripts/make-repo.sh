#!/usr/bin/env bash
# make-repo.sh ROOT DEST DEVICES
# A git repository for the gatekeeper to follow, made from the checkout's example:
#   DEVICES=example  the checkout's own inventory/ and templates/ (5 approved, 1 rejected)
#   DEVICES=N        the example templates with N generated devices, the shape of
#                    bench/Ktizo.Bench/GeneratedInventory.cs (node-00000.yaml …, 52:54:00:xx:xx:xx)
# DEST/work is a working clone (branch main), DEST/origin.git the bare "remote" it pushes to.
set -euo pipefail
root=$1 dest=$2 devices=$3
mkdir -p "$dest/work"
cp -r "$root/templates" "$dest/work/"
if [[ $devices == example ]]; then
  cp -r "$root/inventory" "$dest/work/"
else
  mkdir -p "$dest/work/inventory/devices"
  cat > "$dest/work/inventory/cluster.yaml" <<'YAML'
name: bench
endpoint: https://10.0.0.10:6443
talosVersion: v1.13.9
defaults:
  gateway: 10.0.0.1
  nameservers: [10.0.0.1]
  installDisk: /dev/sda
YAML
  # awk: 10,000 files in well under a second.
  awk -v n="$devices" -v dir="$dest/work/inventory/devices" 'BEGIN {
    for (i = 0; i < n; i++) {
      host = i + 20
      f = sprintf("%s/node-%05d.yaml", dir, i)
      printf "mac: 52:54:00:%02x:%02x:%02x\nhostname: node-%05d\nrole: %s\nip: 10.0.%d.%d/16\nlabels:\n  topology.kubernetes.io/zone: rack-%d\n",
        int(i / 65536) % 256, int(i / 256) % 256, i % 256, i, (i % 4 == 0 ? "controlplane" : "worker"),
        int(host / 256), host % 256, i % 8 > f
      close(f)
    }
  }'
fi
cd "$dest/work"
git init -q -b main
git -c user.name=bench -c user.email=bench@localhost add -A
git -c user.name=bench -c user.email=bench@localhost commit -q -m "bench inventory ($devices devices)"
git clone -q --bare "$dest/work" "$dest/origin.git"
git remote add origin "$dest/origin.git"
git fetch -q origin
git branch -q -u origin/main
