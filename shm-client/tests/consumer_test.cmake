# ctest shm_client_consumer: an empty project outside Pylon uses shm-client both ways a validator
# would, and each builds the README example (examples/example.cpp) with -fno-exceptions -Werror:
#   1. add_subdirectory(<shm-client>)
#   2. cmake --install of shm-client, then find_package(pylon_shm_client) from that prefix.
#   cmake -DSHM_CLIENT_DIR=… -DWORK_DIR=… -DGENERATOR=… -DCXX=… -P consumer_test.cmake
cmake_minimum_required(VERSION 3.16)
file(REMOVE_RECURSE ${WORK_DIR})
file(MAKE_DIRECTORY ${WORK_DIR})

function(run what)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${what} failed (${rc}):\n${out}\n${err}")
  endif()
endfunction()

set(common "cmake_minimum_required(VERSION 3.16)
project(consumer LANGUAGES CXX)
set(CMAKE_CXX_STANDARD 17)
set(CMAKE_CXX_STANDARD_REQUIRED ON)
set(CMAKE_CXX_EXTENSIONS OFF)
")
set(app "add_executable(validator ${SHM_CLIENT_DIR}/examples/example.cpp)
target_compile_options(validator PRIVATE -fno-exceptions -Wall -Wextra -Werror)
target_link_libraries(validator PRIVATE pylon::shm_client)
")

# 1. add_subdirectory
file(WRITE ${WORK_DIR}/subdir/CMakeLists.txt "${common}add_subdirectory(${SHM_CLIENT_DIR} shm-client)\n${app}")
run("configure (add_subdirectory)" ${CMAKE_COMMAND} -S ${WORK_DIR}/subdir -B ${WORK_DIR}/subdir/build -G ${GENERATOR}
    -DCMAKE_CXX_COMPILER=${CXX})
run("build (add_subdirectory)" ${CMAKE_COMMAND} --build ${WORK_DIR}/subdir/build)

# 2. install, then find_package. The consumer above has no install rules of its own, so installing
# its tree installs exactly shm-client's (one configure fewer than a separate shm-client build).
run("install shm-client" ${CMAKE_COMMAND} --install ${WORK_DIR}/subdir/build --prefix ${WORK_DIR}/prefix)
if(EXISTS ${WORK_DIR}/prefix/include/pylon/shm/client.hpp)
else()
  message(FATAL_ERROR "the install has no pylon/shm/client.hpp")
endif()
# With COMPONENTS rest it also builds the pylon::Client example (pylon::shm_client_rest), when the
# install has that component (Boost and simdjson were found).
set(rest_app "")
file(GLOB_RECURSE targets_file ${WORK_DIR}/prefix/*/pylon_shm_client_targets.cmake)
file(READ ${targets_file} targets_text)
if(targets_text MATCHES "pylon::shm_client_rest")
  set(rest_app "find_package(pylon_shm_client 1.0 REQUIRED COMPONENTS rest)
add_executable(client_validator ${SHM_CLIENT_DIR}/examples/client_example.cpp)
target_compile_options(client_validator PRIVATE -Wall -Wextra -Werror)
target_link_libraries(client_validator PRIVATE pylon::shm_client_rest)
")
endif()
file(WRITE ${WORK_DIR}/package/CMakeLists.txt "${common}find_package(pylon_shm_client 1.0 REQUIRED)\n${app}${rest_app}")
run("configure (find_package)" ${CMAKE_COMMAND} -S ${WORK_DIR}/package -B ${WORK_DIR}/package/build -G ${GENERATOR}
    -DCMAKE_CXX_COMPILER=${CXX} -DCMAKE_PREFIX_PATH=${WORK_DIR}/prefix)
run("build (find_package)" ${CMAKE_COMMAND} --build ${WORK_DIR}/package/build)

# Both programs run: without a daemon the example says it cannot open the segment (exit 1).
foreach(kind subdir package)
  execute_process(COMMAND ${WORK_DIR}/${kind}/build/validator pylon-consumer-test-absent
                  RESULT_VARIABLE rc ERROR_VARIABLE err)
  if(NOT rc EQUAL 1 OR NOT err MATCHES "cannot open pylon-consumer-test-absent")
    message(FATAL_ERROR "${kind}: the example answered ${rc}: ${err}")
  endif()
endforeach()
message(STATUS "consumer projects built with add_subdirectory and find_package")
