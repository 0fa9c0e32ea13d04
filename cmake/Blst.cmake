# blst (supranational; BLS12-381: hash-to-curve, G1/G2 with subgroup checks, pairing) built from
# the C and assembly sources that the npm package @chainsafe/blst@0.2.11 ships in package/blst/.
# script/bootstrap installs it from third_party/blst's lockfile (`npm ci --ignore-scripts`, its
# integrity pinned there). blst's own build.sh compiles exactly these two units.
if(TARGET blst)
  return()
endif()
set(PYLON_BLST_PACKAGE ${CMAKE_SOURCE_DIR}/third_party/blst/node_modules/@chainsafe/blst)
set(PYLON_BLST_DIR ${PYLON_BLST_PACKAGE}/blst)
if(NOT EXISTS ${PYLON_BLST_DIR}/src/server.c OR NOT EXISTS ${PYLON_BLST_DIR}/build/assembly.S)
  message(FATAL_ERROR "blst sources not found in ${PYLON_BLST_DIR}: run script/bootstrap "
                      "(npm ci --ignore-scripts in third_party/blst)")
endif()
file(READ ${PYLON_BLST_PACKAGE}/package.json PYLON_BLST_PACKAGE_JSON)
string(JSON PYLON_BLST_VERSION GET "${PYLON_BLST_PACKAGE_JSON}" version)
if(NOT PYLON_BLST_VERSION STREQUAL "0.2.11")
  message(FATAL_ERROR "third_party/blst holds @chainsafe/blst ${PYLON_BLST_VERSION}, not the pinned "
                      "0.2.11: run script/bootstrap")
endif()
set_property(DIRECTORY ${CMAKE_SOURCE_DIR} APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${PYLON_BLST_PACKAGE}/package.json)

enable_language(ASM)
add_library(blst STATIC ${PYLON_BLST_DIR}/src/server.c ${PYLON_BLST_DIR}/build/assembly.S)
# Vendor code: compiled as blst's build.sh does (-fno-builtin; -mno-avx on x86-64 against costly
# AVX transitions), without our warning flags. No -D__ADX__ and no -march: the portable mulq
# paths, so the binary runs on any x86-64 the package targets.
target_compile_options(blst PRIVATE -fno-builtin -w $<$<STREQUAL:${CMAKE_SYSTEM_PROCESSOR},x86_64>:-mno-avx>)
set_target_properties(blst PROPERTIES POSITION_INDEPENDENT_CODE ON)
target_include_directories(blst SYSTEM PUBLIC ${PYLON_BLST_DIR}/bindings)
