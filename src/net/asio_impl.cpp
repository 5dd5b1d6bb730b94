// The one translation unit that compiles Boost.Asio, Asio's SSL layer and
// Beast (BOOST_ASIO_SEPARATE_COMPILATION / BOOST_BEAST_SEPARATE_COMPILATION are
// set on dalbit_net for every user). Everything else includes only the
// declarations, which keeps each networking source file's build short.
#include <boost/asio/impl/src.hpp>
#include <boost/asio/ssl/impl/src.hpp>
#include <boost/beast/src.hpp>
