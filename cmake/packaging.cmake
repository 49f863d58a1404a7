# CPack: `cpack` in the build folder makes the Debian package, and
# `cmake --build build --target package_source` the source tarball.

set(LOCKSCOPE_PACKAGE_CONTACT "The lockscope developers <maintainers@lockscope.invalid>"
    CACHE STRING "Maintainer field of the Debian package")

# The values below reach the CPack config files exactly as written here.
set(CPACK_VERBATIM_VARIABLES ON)

set(CPACK_PACKAGE_NAME lockscope)
set(CPACK_PACKAGE_VENDOR "The lockscope developers")
set(CPACK_PACKAGE_CONTACT "${LOCKSCOPE_PACKAGE_CONTACT}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
set(CPACK_PACKAGE_HOMEPAGE_URL "${PROJECT_HOMEPAGE_URL}")
set(CPACK_RESOURCE_FILE_LICENSE "${PROJECT_SOURCE_DIR}/LICENSE")
set(CPACK_RESOURCE_FILE_README "${PROJECT_SOURCE_DIR}/README.md")
set(CPACK_PACKAGE_CHECKSUM SHA256)
set(CPACK_STRIP_FILES ON)

set(CPACK_GENERATOR DEB)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION utils)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${LOCKSCOPE_PACKAGE_CONTACT}")
# The long description; CPack puts CPACK_PACKAGE_DESCRIPTION_SUMMARY before it
# as the synopsis.
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
    "lockscope finds the session locks that llxprt-code leaves behind when it
crashes, is killed, or has its PID reused, and removes the stale ones safely.
It shows every lock with the holder's PID, liveness, identity and age, and
explains each verdict with its evidence. Every removal is written to an audit
log first and can be undone.
.
The package holds a Qt desktop window that watches the stores live and a
command line (list, clean, remove, restore, audit) with JSON output for
support work over SSH.")
# dpkg-shlibdeps derives Depends from the libraries the binary links
# (libqt6core6, libqt6gui6 with its xcb platform plugin, libqt6widgets6, libc6,
# libstdc++6).
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# Wayland sessions use the Wayland platform plugin when it is there (else
# XWayland); xdg-open serves "Open containing folder".
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "qt6-wayland, xdg-utils")

set(CPACK_SOURCE_GENERATOR TGZ)
set(CPACK_SOURCE_PACKAGE_FILE_NAME "lockscope-${PROJECT_VERSION}")
# Anchored at the source folder, so a checkout that itself lives under a
# folder called build still packs.
string(REGEX REPLACE "([][+.*()^$?|\\\\])" "\\\\\\1" source_regex "${PROJECT_SOURCE_DIR}")
set(CPACK_SOURCE_IGNORE_FILES
    "^${source_regex}/\\.git(/|$)"
    "^${source_regex}/build"
    "^${source_regex}/\\.cache/"
    "\\.user$"
    "/compile_commands\\.json$"
    "~$")

include(CPack)
