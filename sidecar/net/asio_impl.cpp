// The one translation unit that compiles Asio, Asio SSL and Beast (separate-compilation mode,
// BOOST_ASIO_SEPARATE_COMPILATION / BOOST_BEAST_SEPARATE_COMPILATION are PUBLIC definitions of
// pylon_net), so every other module that uses them links this instead of recompiling them.
#include <boost/asio/impl/src.hpp>
#include <boost/asio/ssl/impl/src.hpp>
#include <boost/beast/src.hpp>
