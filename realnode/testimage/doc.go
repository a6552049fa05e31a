// Package testimage builds a small container image without a registry:
// Debian's statically linked busybox as /bin/busybox, a link for each of
// its applets (sh, httpd, sleep, wget …), and the few files a Unix
// program expects (/etc/passwd, /tmp). The result is an OCI image layout
// in a tar archive, which `tinykube image import` (containerd's
// archive importer) loads and unpacks.
//
// An OCI image is three kinds of blob, each named by its sha256 digest:
// layers (tar files of the root filesystem), a config (what to run, the
// environment, the platform) and a manifest (the config and the layers,
// in order). index.json points at the manifest and carries the image's
// name. Building one by hand, as here, shows there is nothing more to it.
//
// Book: chapter 10 (book/10-container-runtime.md, "Code: images").
package testimage
