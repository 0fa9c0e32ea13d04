// Everything a validator needs: #include "pylon/shm/client.hpp".
#pragma once

#include "pylon/shm/layout.hpp"           // IWYU pragma: export
#include "pylon/shm/result.hpp"           // IWYU pragma: export
#include "pylon/shm/snapshot.hpp"         // IWYU pragma: export
#include "pylon/shm/weight_producer.hpp"  // IWYU pragma: export
