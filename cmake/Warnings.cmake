# Warnings for every target of the project; -Werror unless AUTHGATE_WERROR is off.
add_compile_options(-Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast
                    -Wcast-align -Wunused -Woverloaded-virtual -Wconversion -Wsign-conversion
                    -Wdouble-promotion -Wformat=2 -Wimplicit-fallthrough
                    # C++20 designated initializers leave defaulted members out by design;
                    # -Wnull-dereference is not used: at -O2 it fires inside inlined Boost code.
                    -Wno-missing-field-initializers)
# GCC 12 at -O2 reports Asio's coroutine frame allocator (operator new/delete of
# awaitable_frame_base) as mismatched: a known false positive with C++20 coroutines.
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  add_compile_options(-Wno-mismatched-new-delete)
endif()
if(AUTHGATE_WERROR)
  add_compile_options(-Werror)
endif()
