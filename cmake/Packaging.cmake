# Install rules and the Debian package (CPack's DEB generator), for script/package.
#
# CPack rather than a hand-made dpkg-deb tree: the same install() rules serve `cmake --install`
# and the package, CPack writes the control file and md5sums, strips the binary, and computes
# Depends from the libraries the binary links (dpkg-shlibdeps, as Debian's own packages do) instead
# of a hand-kept list that drifts from the build.
include_guard(GLOBAL)

# `cmake --install` and cpack install only what is listed here: they must not build the whole tree
# (tests, benchmarks) first. script/package builds the pylon target itself.
set(CMAKE_SKIP_INSTALL_ALL_DEPENDENCY ON)

# One version for the binary (`pylon --version`), the package and the image tag (k8s/, Compose):
# cmake/PylonVersion.cmake.
set(PYLON_PACKAGE_VERSION "${PYLON_VERSION}")

install(TARGETS pylon RUNTIME DESTINATION bin)
install(FILES ${CMAKE_SOURCE_DIR}/deploy/pylon@.service DESTINATION lib/systemd/system)
install(FILES ${CMAKE_SOURCE_DIR}/deploy/pylon.env DESTINATION share/doc/pylon/examples)
install(FILES ${CMAKE_SOURCE_DIR}/README.md DESTINATION share/doc/pylon)
install(FILES ${CMAKE_SOURCE_DIR}/deploy/README.md DESTINATION share/doc/pylon RENAME README.deploy.md)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME pylon)
set(CPACK_PACKAGE_VERSION "${PYLON_PACKAGE_VERSION}")
set(CPACK_PACKAGE_CONTACT "Pylon maintainers <pylon@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "chain sidecar for Bittensor validators")
set(CPACK_PACKAGE_DESCRIPTION
    "Pylon follows the subtensor chain for one subnet, publishes snapshots in shared memory and a REST API, keeps the validator's weights in SQLite and commits them on chain. Run one instance per subnet and hotkey with pylon@<instance>.service and /etc/pylon/<instance>.env.")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# postinst: useradd (passwd, priority required); wss:// endpoints: the CA certificates.
set(CPACK_DEBIAN_PACKAGE_DEPENDS "passwd, ca-certificates")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${CMAKE_SOURCE_DIR}/cmake/debian/postinst ${CMAKE_SOURCE_DIR}/cmake/debian/prerm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
include(CPack)
