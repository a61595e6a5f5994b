#!/usr/bin/env bash
# Builds the standalone host as a self-contained linux-x64 program (no .NET needed on the server) into
# artifacts/publish/dvcsync-linux-x64/, with this folder's unit, environment template and install script beside it,
# and packs it as artifacts/publish/dvcsync-linux-x64.tar.gz to copy to the server.
set -euo pipefail
cd "$(dirname "$0")/../.."

out="artifacts/publish/dvcsync-linux-x64"
rm -rf "$out" "$out.tar.gz"
dotnet publish src/DvcSync.Standalone -c Release -r linux-x64 --self-contained true -nologo -v quiet \
  -p:PublishSingleFile=false -p:DebugType=none -o "$out/app"
cp deploy/linux/dvcsync.service deploy/linux/dvcsync.env.template deploy/linux/install.sh "$out/"
tar -C artifacts/publish -czf "$out.tar.gz" dvcsync-linux-x64
echo "Published $out (program in app/) and $out.tar.gz"
