#!/bin/bash
# make-test-images.sh LAYOUT: an OCI image layout at LAYOUT, made with umoci from Debian's
# busybox-static, holding the images the image tests push to their registry:
#   busybox    one layer: the busybox rootfs; Cmd ["/bin/sh"], a label, an env entry
#   layered    busybox + a layer adding /data/{a,b}, /opq/{x,y}, /etc/gone
#              + a layer with whiteouts: /data/.wh.a, /etc/.wh.gone, /opq/.wh..wh..opq, /opq/z
#              (merged view: /data holds only b, /etc/gone is absent, /opq holds only z)
#   arm64      one small layer, config architecture arm64 variant v8
#   multiarch  an index of busybox (linux/amd64) and arm64 (linux/arm64/v8)
# Layers are written by this script (python3's tarfile) so that the whiteouts are exactly these.
set -euo pipefail

layout=${1:?usage: make-test-images.sh LAYOUT}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d /tmp/vessel-images.XXXXXX)
trap 'rm -rf "$work"' EXIT

rm -rf "$layout"
umoci init --layout "$layout"

# busybox
"$here/make-busybox-rootfs.sh" "$work/rootfs" >/dev/null
tar --numeric-owner -C "$work/rootfs" -cf "$work/busybox.tar" .
umoci new --image "$layout:busybox"
umoci raw add-layer --image "$layout:busybox" "$work/busybox.tar"
umoci config --image "$layout:busybox" --config.cmd /bin/sh \
	--config.env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
	--config.label org.vessel.test=busybox --architecture amd64 --os linux \
	--history.created_by "make-test-images.sh: busybox rootfs"

# layered: two layers over busybox
python3 - "$work" <<'EOF'
import io, sys, tarfile, time
work = sys.argv[1]
def add(t, name, data=None, kind="file", mode=0o644):
    info = tarfile.TarInfo(name)
    info.mtime = int(time.time())
    if kind == "dir":
        info.type = tarfile.DIRTYPE
        info.mode = 0o755
        t.addfile(info)
    else:
        data = data or b""
        info.size = len(data)
        info.mode = mode
        t.addfile(info, io.BytesIO(data))
with tarfile.open(f"{work}/add.tar", "w", format=tarfile.PAX_FORMAT) as t:
    for d in ("data", "opq", "etc"):
        add(t, d, kind="dir")
    add(t, "data/a", b"a\n")
    add(t, "data/b", b"b\n")
    add(t, "opq/x", b"x\n")
    add(t, "opq/y", b"y\n")
    add(t, "etc/gone", b"gone\n")
with tarfile.open(f"{work}/delete.tar", "w", format=tarfile.PAX_FORMAT) as t:
    for d in ("data", "opq", "etc"):
        add(t, d, kind="dir")
    add(t, "data/.wh.a")
    add(t, "etc/.wh.gone")
    add(t, "opq/.wh..wh..opq")
    add(t, "opq/z", b"z\n")
EOF
umoci tag --image "$layout:busybox" layered
umoci raw add-layer --image "$layout:layered" "$work/add.tar"
umoci raw add-layer --image "$layout:layered" "$work/delete.tar"
umoci config --image "$layout:layered" --config.label org.vessel.test=layered \
	--history.created_by "make-test-images.sh: whiteouts"

# arm64: a small image of another platform
mkdir -p "$work/arm/etc"
echo arm64 >"$work/arm/etc/platform"
tar --numeric-owner -C "$work/arm" -cf "$work/arm.tar" .
umoci new --image "$layout:arm64"
umoci raw add-layer --image "$layout:arm64" "$work/arm.tar"
umoci config --image "$layout:arm64" --architecture arm64 --os linux --config.cmd /bin/sh

# multiarch: an index blob naming both manifests, tagged in index.json
descriptor()
{ # descriptor TAG PLATFORM-JSON
	jq --arg tag "$1" --argjson platform "$2" \
		'.manifests[] | select(.annotations["org.opencontainers.image.ref.name"] == $tag)
		 | {mediaType, digest, size, platform: $platform}' "$layout/index.json"
}
amd=$(descriptor busybox '{"architecture":"amd64","os":"linux"}')
arm=$(descriptor arm64 '{"architecture":"arm64","os":"linux","variant":"v8"}')
jq -n --argjson a "$amd" --argjson b "$arm" \
	'{schemaVersion: 2, mediaType: "application/vnd.oci.image.index.v1+json", manifests: [$a, $b]}' \
	>"$work/index.json"
digest=$(sha256sum "$work/index.json" | cut -d' ' -f1)
size=$(stat -c %s "$work/index.json")
cp "$work/index.json" "$layout/blobs/sha256/$digest"
jq --arg d "sha256:$digest" --argjson s "$size" \
	'.manifests += [{mediaType: "application/vnd.oci.image.index.v1+json", digest: $d, size: $s,
	  annotations: {"org.opencontainers.image.ref.name": "multiarch"}}]' \
	"$layout/index.json" >"$work/top.json"
cp "$work/top.json" "$layout/index.json"
