#!/bin/sh
# Usage: bundle-wasm-ld.sh DEST
# Copies the installed wasm-ld-22 (lld), every shared library it loads and the dynamic loader
# into DEST, with a `wasm-ld` wrapper that runs lld through that loader. The bundle then runs
# on another distribution (a fuzzing service's runner image) whatever its C library.
set -eu
dest=$1
lld=$(readlink -f "$(command -v wasm-ld-22)")
mkdir -p "$dest/lib"
cp "$lld" "$dest/lld"
ldd "$lld" | awk '/=> \// { print $3 } /^\t\/.*ld-linux/ { print $1 }' | while read -r lib; do
  cp -L "$lib" "$dest/lib/"
done
loader=$(cd "$dest/lib" && ls ld-linux-*.so.* | head -n 1)
cat > "$dest/wasm-ld" <<WRAPPER
#!/bin/sh
d=\$(dirname "\$(readlink -f "\$0")")
exec "\$d/lib/$loader" --library-path "\$d/lib" "\$d/lld" -flavor wasm "\$@"
WRAPPER
chmod +x "$dest/wasm-ld"
"$dest/wasm-ld" --version
