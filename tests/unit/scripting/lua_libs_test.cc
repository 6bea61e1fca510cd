// struct and Redis's math.random against Redis 7.0.15 (see lua_test_env.h for how the expected
// values were recorded), plus the rand48 generator and the Open* functions on their own.
#include "server/scripting/lua_libs.h"

#include <catch2/catch.hpp>

#include "tests/unit/scripting/lua_test_env.h"

namespace baozi::lua::testing {
namespace {

// Formats, alignment, endianness, integer sizes and out-of-range conversions, strings, and
// every error text struct raises.
const LuaCase kStructCases[] = {
    {R"~(return struct.pack('>i', 1), struct.pack('<i', 1), struct.pack('i', 1))~",
     R"~(true x00000001 x01000000 x01000000)~"},
    {R"~(return struct.pack('=i', 1))~",
     R"~(false "user_script:1: bad argument #1 to 'pack' (invalid format option '=')")~"},
    {R"~(return struct.pack('bBhHlLT', -1, 255, -2, 65535, -3, 7, 9))~",
     R"~(true xfffffefffffffdffffffffffffff07000000000000000900000000000000)~"},
    {R"~(return struct.pack('>bBhHlLT', -1, 255, -2, 65535, -3, 7, 9))~",
     R"~(true xfffffffefffffffffffffffffffd00000000000000070000000000000009)~"},
    {R"~(return struct.pack('b', 300), struct.pack('B', -1), struct.pack('h', 70000))~",
     R"~(true "," xff x7011)~"},
    {R"~(return struct.pack('i1i2i3i4i5i6i7i8', 1, 2, 3, 4, 5, 6, 7, 8))~",
     R"~(true x010200030000040000000500000000060000000000070000000000000800000000000000)~"},
    {R"~(return struct.pack('>i3', -2), struct.pack('<I3', 0x123456))~",
     R"~(true xfffffe x563412)~"},
    {R"~(return struct.pack('<i16', -1), struct.pack('>i16', -1), struct.pack('<I9', 2^64-1))~",
     R"~(true xffffffffffffffff0000000000000000 x0000000000000000ffffffffffffffff x000000000000000000)~"},
    {R"~(return struct.pack('i32', 5))~",
     R"~(true x0500000000000000000000000000000000000000000000000000000000000000)~"},
    {R"~(return struct.pack('i33', 1))~",
     R"~(false "user_script:1: integral size 33 is larger than limit of 32")~"},
    {R"~(return struct.pack('i0', 5), struct.unpack('i0', ''))~", R"~(true "" 0 1)~"},
    {R"~(return struct.pack('c2147483647', 'a'))~",
     R"~(false "user_script:1: bad argument #3 to 'pack' (string too short)")~"},
    {R"~(return struct.pack('c2147483648', 'a'))~",
     R"~(false "user_script:1: integral size overflow")~"},
    {R"~(return struct.pack('i99999999999', 1))~",
     R"~(false "user_script:1: integral size overflow")~"},
    {R"~(return struct.pack('<l', 2^63), struct.pack('<l', -2^63), struct.pack('<L', 2^64), struct.pack('<L', 2^64 * 3))~",
     R"~(true x0000000000000080 x0000000000000080 x0000000000000000 x0000000000000000)~"},
    {R"~(return struct.pack('<l', 1/0), struct.pack('<l', -1/0), struct.pack('<L', 0/0), struct.pack('<l', -(0/0)))~",
     R"~(true x0000000000000000 x0000000000000080 x0000000000000080 x0000000000000080)~"},
    {R"~(return struct.pack('<l', 1e30), struct.pack('<l', -1e30), struct.pack('<L', 2^63 + 2^11))~",
     R"~(true x0000000000000000 x0000000000000080 x0008000000000080)~"},
    {R"~(return struct.pack('<i', 3.7), struct.pack('<i', -3.7), struct.pack('<i', 2^31), struct.pack('<i', 2^32 + 5))~",
     R"~(true x03000000 xfdffffff x00000080 x05000000)~"},
    {R"~(return struct.pack('<B', '42'), struct.pack('<d', '1.5'))~",
     R"~(true "*" x000000000000f83f)~"},
    {R"~(return struct.pack('<B', 'x'))~",
     R"~(false "user_script:1: bad argument #2 to 'pack' (number expected, got string)")~"},
    {R"~(return struct.pack('<B'))~",
     R"~(false "user_script:1: bad argument #2 to 'pack' (number expected, got nil)")~"},
    {R"~(return struct.pack('<Bz', 1))~",
     R"~(false "user_script:1: bad argument #1 to 'pack' (invalid format option 'z')")~"},
    {R"~(return struct.pack('f', 1.5), struct.pack('>f', 1.5), struct.pack('<f', 0.1), struct.pack('>f', 1e300), struct.pack('<f', -0.0))~",
     R"~(true x0000c03f x3fc00000 xcdcccc3d x7f800000 x00000080)~"},
    {R"~(return struct.pack('d', 1.5), struct.pack('>d', 0.1), struct.pack('<d', 1/0), struct.pack('>d', -2.5))~",
     R"~(true x000000000000f83f x3fb999999999999a x000000000000f07f xc004000000000000)~"},
    {R"~(return struct.pack('c', 'abc'), struct.pack('c3', 'abcdef'), struct.pack('c0', 'abcdef'), struct.pack('c0', ''))~",
     R"~(true "a" "abc" "abcdef" "")~"},
    {R"~(return struct.pack('c5', 'ab'))~",
     R"~(false "user_script:1: bad argument #3 to 'pack' (string too short)")~"},
    {R"~(return struct.pack('Bc5', 1, 'ab'))~",
     R"~(false "user_script:1: bad argument #4 to 'pack' (string too short)")~"},
    {R"~(return struct.pack('s', 'hello'), struct.pack('s', ''), struct.pack('s', 'a\0b'))~",
     R"~(true x68656c6c6f00 x00 x61006200)~"},
    {R"~(return struct.pack('s5', 'hello world'))~",
     R"~(false "user_script:1: bad argument #1 to 'pack' (invalid format option '5')")~"},
    {R"~(return struct.pack('c', 12), struct.pack('s', 3.5))~", R"~(true "1" x332e3500)~"},
    {R"~(return struct.pack('c', {}))~",
     R"~(false "user_script:1: bad argument #2 to 'pack' (string expected, got table)")~"},
    {R"~(return struct.pack('x'), struct.pack('xxBx', 7), struct.pack('  B  ', 1))~",
     R"~(true x00 x00000700 x01)~"},
    {R"~(return struct.pack('!4bi', 1, 2), struct.pack('!bi', 1, 2), struct.pack('!2bi', 1, 2), struct.pack('!8bd', 1, 2))~",
     R"~(true x0100000002000000 x0100000002000000 x010002000000 x01000000000000000000000000000040)~"},
    {R"~(return struct.pack('!8bhbibl', 1, 2, 3, 4, 5, 6), struct.pack('!16bd', 1, 2), struct.pack('!8bc3i', 1, 'abc', 9))~",
     R"~(true x010002000300000004000000050000000600000000000000 x01000000000000000000000000000040 x0161626309000000)~"},
    {R"~(return struct.pack('!8bi3', 1, 2), struct.pack('!8bi6', 1, 2), struct.pack('!4bi16', 1, 2))~",
     R"~(true x010000020000 x010000000000020000000000 x0100000002000000000000000000000000000000)~"},
    {R"~(return struct.pack('!3b', 1))~",
     R"~(false "user_script:1: alignment 3 is not a power of 2")~"},
    {R"~(return struct.pack('!0b', 1))~",
     R"~(false "user_script:1: alignment 0 is not a power of 2")~"},
    {R"~(return struct.pack('!b!b', 1, 2), struct.pack('!4b!1i', 1, 2))~",
     R"~(true x0102 x0102000000)~"},
    {R"~(return struct.pack('>!4bi<i', 1, 2, 3))~", R"~(true x010000000000000203000000)~"},
    {R"~(return struct.pack('bx!4i', 1, 2), struct.pack('!4bsi', 1, 'ab', 3), struct.pack('!4bfd', 1, 2, 3))~",
     R"~(true x0100000002000000 x0161620003000000 x01000000000000400000000000000840)~"},
    {R"~(return struct.pack('!2147483648b', 1))~",
     R"~(false "user_script:1: integral size overflow")~"},
    {R"~(return struct.pack(5, 1))~",
     R"~(false "user_script:1: bad argument #1 to 'pack' (invalid format option '5')")~"},
    {R"~(return struct.pack())~",
     R"~(false "user_script:1: bad argument #1 to 'pack' (string expected, got no value)")~"},
    {R"~(return struct.pack(''))~", R"~(true "")~"},
    {R"~(return struct.pack('#'))~",
     R"~(false "user_script:1: bad argument #1 to 'pack' (invalid format option '#')")~"},
    {R"~(return struct.pack('\200', 1))~",
     R"~(false x757365725f7363726970743a313a2062616420617267756d656e7420233120746f20277061636b272028696e76616c696420666f726d6174206f7074696f6e2027c82729)~"},
    {R"~(return struct.pack('b9', 1))~",
     R"~(false "user_script:1: bad argument #1 to 'pack' (invalid format option '9')")~"},
    {R"~(return struct.unpack('>i', '\0\0\0\1'), struct.unpack('<i', '\1\0\0\0'))~",
     R"~(true 1 1 5)~"},
    {R"~(return struct.unpack('bBhHlLT', struct.pack('bBhHlLT', -1, 255, -2, 65535, -3, 7, 9)))~",
     R"~(true -1 255 -2 65535 -3 7 9 31)~"},
    {R"~(return struct.unpack('>bBhHlLT', struct.pack('>bBhHlLT', -100, 200, -30000, 60000, -2^40, 2^40, 2^50)))~",
     R"~(true -100 200 -30000 60000 -1099511627776 1099511627776 1125899906842624 31)~"},
    {R"~(return struct.unpack('<i3', '\255\255\255'), struct.unpack('<I3', '\255\255\255'), struct.unpack('>i3', '\128\0\0'))~",
     R"~(true -1 16777215 -8388608 4)~"},
    {R"~(return struct.unpack('<i16', string.rep('\255', 16)), struct.unpack('<I16', string.rep('\255', 16)), struct.unpack('>i16', string.rep('\1', 16)))~",
     R"~(true -1 1.8446744073709552e+19 72340172838076672 17)~"},
    {R"~(return struct.unpack('<i9', string.rep('\255', 9)), struct.unpack('<i12', '\0\0\0\0\0\0\0\128\0\0\0\0'))~",
     R"~(true -1 -2147483648 13)~"},
    {R"~(return struct.unpack('<l', '\0\0\0\0\0\0\0\128'), struct.unpack('<L', '\255\255\255\255\255\255\255\255'), struct.unpack('<L', '\1\0\0\0\0\0\32\0'))~",
     R"~(true -9.2233720368547758e+18 1.8446744073709552e+19 9007199254740992 9)~"},
    {R"~(return struct.unpack('i', 'abc'))~",
     R"~(false "user_script:1: bad argument #2 to 'unpack' (data string too short)")~"},
    {R"~(return struct.unpack('i', 'abcd', 2))~",
     R"~(false "user_script:1: bad argument #2 to 'unpack' (data string too short)")~"},
    {R"~(return struct.unpack('i', 'abcdef', 2), struct.unpack('b', 'abc', 3), struct.unpack('', 'abc', 10))~",
     R"~(true 1701077858 99 10)~"},
    {R"~(return struct.unpack('b', 'abc', 0))~",
     R"~(false "user_script:1: bad argument #3 to 'unpack' (offset must be 1 or greater)")~"},
    {R"~(return struct.unpack('b', 'abc', -1))~",
     R"~(false "user_script:1: bad argument #2 to 'unpack' (data string too short)")~"},
    {R"~(return struct.unpack('b', 'abc', 4))~",
     R"~(false "user_script:1: bad argument #2 to 'unpack' (data string too short)")~"},
    {R"~(return struct.unpack('b', 'abc', 1.9), struct.unpack('b', 'abc', '2'))~",
     R"~(true 97 98 3)~"},
    {R"~(return struct.unpack('b', 'abc', 'x'))~",
     R"~(false "user_script:1: bad argument #3 to 'unpack' (number expected, got string)")~"},
    {R"~(return struct.unpack('b'))~",
     R"~(false "user_script:1: bad argument #2 to 'unpack' (string expected, got no value)")~"},
    {R"~(return struct.unpack('b', {}))~",
     R"~(false "user_script:1: bad argument #2 to 'unpack' (string expected, got table)")~"},
    {R"~(return struct.unpack('f', struct.pack('f', 0.1)), struct.unpack('>f', struct.pack('>f', -1.25)), struct.unpack('>d', struct.pack('>d', 0.1)))~",
     R"~(true 0.10000000149011612 -1.25 0.10000000000000001 9)~"},
    {R"~(return struct.unpack('<d', struct.pack('<d', 1/0)), struct.unpack('d', struct.pack('d', -0.0)))~",
     R"~(true inf 0 9)~"},
    {R"~(return struct.unpack('c3', 'abcdef'), struct.unpack('c', 'xyz'))~",
     R"~(true "abc" "x" 2)~"},
    {R"~(return struct.unpack('c0', 'abc'))~",
     R"~(false "user_script:1: format 'c0' needs a previous size")~"},
    {R"~(return struct.unpack('bc0', '\3abcdef'), struct.unpack('Bc0B', '\2hi\7'))~",
     R"~(true "abc" "hi" 7 5)~"},
    {R"~(return struct.unpack('c1c0', '3abcdef'), struct.unpack('c1c0', '0abc'), struct.unpack('c3c0', '1e1abcdefghijk'))~",
     R"~(true "abc" "" "abcdefghij" 14)~"},
    {R"~(return struct.unpack('c2c0', '-1abc'))~",
     R"~(false "user_script:1: bad argument #2 to 'unpack' (data string too short)")~"},
    {R"~(return struct.unpack('c3c0', '0x2abc'), struct.unpack('bc0b', '\0\5'))~",
     R"~(true "ab" "" 5 3)~"},
    {R"~(return struct.unpack('c1c0', 'zabcdef'))~",
     R"~(false "user_script:1: format 'c0' needs a previous size")~"},
    {R"~(return struct.unpack('bc0', '\9abc'))~",
     R"~(false "user_script:1: bad argument #2 to 'unpack' (data string too short)")~"},
    {R"~(return struct.unpack('bc0', '\255abc'))~",
     R"~(false "user_script:1: bad argument #2 to 'unpack' (data string too short)")~"},
    {R"~(return struct.unpack('xc0', 'abc'))~",
     R"~(false "user_script:1: format 'c0' needs a previous size")~"},
    {R"~(return struct.unpack('s', 'hello\0world'), struct.unpack('ss', 'a\0b\0'), struct.unpack('s', '\0'))~",
     R"~(true "hello" "a" "" 2)~"},
    {R"~(return struct.unpack('s', 'hello'))~",
     R"~(false "user_script:1: unfinished string in data")~"},
    {R"~(return struct.unpack('xxb', '\1\2\3'))~", R"~(true 3 4)~"},
    {R"~(return struct.unpack('x', ''))~",
     R"~(false "user_script:1: bad argument #2 to 'unpack' (data string too short)")~"},
    {R"~(return struct.unpack('!4bi', struct.pack('!4bi', 7, 8)), struct.unpack('!4bi', 'a\0\0\0\1\0\0\0', 1))~",
     R"~(true 7 97 1 9)~"},
    {R"~(return struct.unpack('!4i', 'zzz\1\0\0\0', 4))~",
     R"~(false "user_script:1: bad argument #2 to 'unpack' (data string too short)")~"},
    {R"~(return struct.unpack('!4bi', 'zzzz\1\0\0\0\2\0\0\0', 2))~", R"~(true 122 1 9)~"},
    {R"~(return struct.unpack('!4bi', 'zzzz\1\0\0\0\2\0\0\0', 3))~", R"~(true 122 1 9)~"},
    {R"~(return struct.unpack('!8bd', struct.pack('!8bd', 1, 2.5)))~", R"~(true 1 2.5 17)~"},
    {R"~(return struct.unpack('!3b', 'a'))~",
     R"~(false "user_script:1: alignment 3 is not a power of 2")~"},
    {R"~(return struct.unpack('z', 'a'))~",
     R"~(false "user_script:1: bad argument #1 to 'unpack' (invalid format option 'z')")~"},
    {R"~(return struct.unpack('  b  >h', '\1\0\2'))~", R"~(true 1 2 4)~"},
    {R"~(return struct.unpack('i33', 'a'))~",
     R"~(false "user_script:1: integral size 33 is larger than limit of 32")~"},
    {R"~(return struct.unpack('b', string.rep('a', 10), 2^53))~",
     R"~(false "user_script:1: bad argument #2 to 'unpack' (data string too short)")~"},
    {R"~(return struct.unpack('', 'a', 2^63), struct.unpack('', 'a', 1e300), struct.unpack('', 'a', 2^64 + 2^12))~",
     R"~(true -9.2233720368547758e+18 -9.2233720368547758e+18 -9.2233720368547758e+18)~"},
    {R"~(return struct.unpack('', 'a', -2^63), struct.unpack('', 'a', -1))~",
     R"~(true -9.2233720368547758e+18 -1)~"},
    {R"~(return struct.unpack(string.rep('b', 100), string.rep('a', 100)))~",
     R"~(true 97 97 97 97 97 97 97 97 97 97 97 97 97 97 97 97 97 97 97 97 97 97 97 97 97 97 97 97 97 97 97 97 97 97 97 97 97 97 97 97 97 97 97 97 97 97 97 97 97 97 97 97 97 97 97 97 97 97 97 97 97 97 97 97 97 97 97 97 97 97 97 97 97 97 97 97 97 97 97 97 97 97 97 97 97 97 97 97 97 97 97 97 97 97 97 97 97 97 97 97 101)~"},
    {R"~(return select('#', struct.unpack(string.rep('b', 8100), string.rep('a', 8100))))~",
     R"~(false "user_script:1: stack overflow (too many results)")~"},
    {R"~(return struct.size('i'), struct.size('bBhHlLTfdx'), struct.size('!8bd'), struct.size('!4bi3'), struct.size('c10'), struct.size(''))~",
     R"~(true 4 43 16 6 10 0)~"},
    {R"~(return struct.size('i3!8d z'), struct.size('bz9q'), struct.size('>!2bh<'))~",
     R"~(true 16 1 4)~"},
    {R"~(return struct.size('s'))~",
     R"~(false "user_script:1: bad argument #1 to 'size' (option 's' has no fixed size)")~"},
    {R"~(return struct.size('c0'))~",
     R"~(false "user_script:1: bad argument #1 to 'size' (option 'c0' has no fixed size)")~"},
    {R"~(return struct.size('bs'))~",
     R"~(false "user_script:1: bad argument #1 to 'size' (option 's' has no fixed size)")~"},
    {R"~(return struct.size('#'))~",
     R"~(false "user_script:1: bad argument #1 to 'size' (invalid format option '#')")~"},
    {R"~(return struct.size('!3'))~",
     R"~(false "user_script:1: alignment 3 is not a power of 2")~"},
    {R"~(return struct.size('i40'))~",
     R"~(false "user_script:1: integral size 40 is larger than limit of 32")~"},
    {R"~(return struct.size())~",
     R"~(false "user_script:1: bad argument #1 to 'size' (string expected, got no value)")~"},
    {R"~(return struct.size(12))~", R"~(true 0)~"},
    {R"~(return struct.size('\200'))~",
     R"~(false x757365725f7363726970743a313a2062616420617267756d656e7420233120746f202773697a65272028696e76616c696420666f726d6174206f7074696f6e2027c82729)~"},
    {R"~(local t = {} for k, v in pairs(struct) do t[#t+1] = k end return table.concat(t, ','))~",
     R"~(true "pack,size,unpack")~"},
    {R"~(return type(struct.pack), type(struct.unpack), type(struct.size), struct.foo)~",
     R"~(true "function" "function" "function" nil)~"},
    {R"~(return struct.unpack('i', '\1\0\0\0\2\0\0\0', 5), struct.unpack('>H', '\255\254'), struct.unpack('<h', '\0\128'))~",
     R"~(true 2 65534 -32768 3)~"},
    {R"~(return struct.unpack('T', struct.pack('T', 2^53 + 1)), struct.pack('<T', -1))~",
     R"~(true 9007199254740992 xffffffffffffffff)~"},
    {R"~(return struct.unpack('<i8', struct.pack('<i8', -2^53 - 1)), struct.unpack('<i8', struct.pack('<i8', 2^63 - 2^10)))~",
     R"~(true -9007199254740992 9.2233720368547748e+18 9)~"},
    {R"~(return struct.pack('<d', 0/0) == struct.pack('<d', 0/0), #struct.pack('<d', 0/0))~",
     R"~(true true 8)~"},
    {R"~(return struct.unpack('B', '', 1))~",
     R"~(false "user_script:1: bad argument #2 to 'unpack' (data string too short)")~"},
    {R"~(return struct.unpack('s', 'ab\0', 3), struct.unpack('c0', 'a', 1))~",
     R"~(false "user_script:1: format 'c0' needs a previous size")~"},
    {R"~(return struct.pack('<!4bs!8d', 1, 'xy', 2), struct.pack('!4c2i', 'ab', 1), struct.pack('!2bxh', 1, 2))~",
     R"~(true x01787900000000000000000000000040 x6162000001000000 x01000200)~"},
    {R"~(return struct.pack('bB', 1))~",
     R"~(false "user_script:1: bad argument #3 to 'pack' (number expected, got nil)")~"},
    {R"~(return struct.pack(string.rep('b', 200), unpack((function() local t = {} for i = 1, 200 do t[i] = i end return t end)())))~",
     R"~(true x0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9fa0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebfc0c1c2c3c4c5c6c7c8)~"},
    {R"~(return #struct.pack('c0', string.rep('x', 100000)))~", R"~(true 100000)~"},
    {R"~(return struct.size(' < > ! !2 x'), struct.size('bhilfdT'), struct.size('!bhilfdT'), struct.size('!2bhilfdT'))~",
     R"~(true 1 35 40 36)~"},
};

// A fresh Redis's math.random sequence, in order: the generator state carries over from one
// script to the next, so these must run as one sequence from the initial state.
const LuaCase kRandomCases[] = {
    {R"~(return math.random(), math.random(100), math.random(5, 10))~",
     R"~(true 0.39646477363839039 85 7)~"},
    {R"~(return math.random(), math.random(100), math.random(5, 10))~",
     R"~(true 0.44658343468167977 32 10)~"},
    {R"~(local t = {} for i = 1, 20 do t[i] = math.random(1000) end return table.concat(t, ','))~",
     R"~(true "16,585,160,384,692,59,900,164,160,534,605,583,270,391,294,743,299,76,405,858")~"},
    {R"~(return math.random(1), math.random(-3, -3), math.random(-10, 10), math.random(2147483647))~",
     R"~(true 1 -3 7 5916493)~"},
    {R"~(return math.random(-2147483648, 2147483647), math.random(-2147483647, 2147483647), math.random(0, 2147483647))~",
     R"~(true -2147483648 -2147483648 -1691952161)~"},
    {R"~(return math.random(3.9), math.random('7'), math.random(2^32 + 5))~", R"~(true 1 7 2)~"},
    {R"~(return math.random(-2^31 - 1, 5))~",
     R"~(false "user_script:1: bad argument #2 to 'random' (interval is empty)")~"},
    {R"~(return math.random(-2^31 - 1, -2^31 + 5))~",
     R"~(false "user_script:1: bad argument #2 to 'random' (interval is empty)")~"},
    {R"~(return math.random(0))~",
     R"~(false "user_script:1: bad argument #1 to 'random' (interval is empty)")~"},
    {R"~(return math.random(-5))~",
     R"~(false "user_script:1: bad argument #1 to 'random' (interval is empty)")~"},
    {R"~(return math.random(5, 4))~",
     R"~(false "user_script:1: bad argument #2 to 'random' (interval is empty)")~"},
    {R"~(return math.random(1, 2, 3))~", R"~(false "user_script:1: wrong number of arguments")~"},
    {R"~(return math.random('x'))~",
     R"~(false "user_script:1: bad argument #1 to 'random' (number expected, got string)")~"},
    {R"~(return math.random(1, 'y'))~",
     R"~(false "user_script:1: bad argument #2 to 'random' (number expected, got string)")~"},
    {R"~(return math.random(nil))~",
     R"~(false "user_script:1: bad argument #1 to 'random' (number expected, got nil)")~"},
    {R"~(math.randomseed(42) return math.random(), math.random(1000), math.random(7, 9))~",
     R"~(true 0.74452500033403046 343 7)~"},
    {R"~(math.randomseed(0) return math.random(), math.random(), math.random(10))~",
     R"~(true 0.1708280361121651 0.74990198051086721 1)~"},
    {R"~(math.randomseed(-1) return math.random(), math.random(1000000))~",
     R"~(true 0.3000257272739083 45312)~"},
    {R"~(math.randomseed(2^31) return math.random(), math.random(1000000))~",
     R"~(true 0.67082803634499577 249902)~"},
    {R"~(math.randomseed(2^40 + 3) return math.random(), math.random(1000000))~",
     R"~(true 0.7832349621612742 863674)~"},
    {R"~(math.randomseed(305441741) return math.random(), math.random(100), math.random(5, 10))~",
     R"~(true 0.39646477363839039 85 7)~"},
    {R"~(math.randomseed(7.9) return math.random())~", R"~(true 0.26644419658297869)~"},
    {R"~(return math.randomseed())~",
     R"~(false "user_script:1: bad argument #1 to 'randomseed' (number expected, got no value)")~"},
    {R"~(return math.randomseed('abc'))~",
     R"~(false "user_script:1: bad argument #1 to 'randomseed' (number expected, got string)")~"},
    {R"~(return math.randomseed(1, 2), math.random())~", R"~(true nil 0.041630344484760586)~"},
    {R"~(local t = {} for i = 1, 5 do t[i] = math.random() end return table.concat(t, ','))~",
     R"~(true "0.4544924448498,0.83481721851733,0.33598602997884,0.56548940370115,0.0017669121743026")~"},
    {R"~(return type(math.random), type(math.randomseed), math.floor(2.5), math.huge)~",
     R"~(true "function" "function" 2 inf)~"},
};

TEST_CASE("struct matches Redis", "[lua][struct]") {
  CheckCases(std::begin(kStructCases), std::end(kStructCases));
}

TEST_CASE("math.random follows Redis's sequence from a fresh start", "[lua][math]") {
  RedisRand48Reset();
  for (const LuaCase& c : kRandomCases) {
    LuaEnv env;
    INFO(c.script);
    CHECK(env.Run(c.script) == c.expected);
  }
}

TEST_CASE("rand48 generator", "[lua][math]") {
  // Values from glibc's lrand48 after srand48 with the same seeds: the same generator.
  RedisSrand48(42);
  CHECK(RedisLrand48() == 1598855263);
  CHECK(RedisLrand48() == 735945821);
  CHECK(RedisLrand48() == 238553827);
  RedisSrand48(-1);
  CHECK(RedisLrand48() == 644300343);
  // A fresh process starts where seed 0x1234ABCD puts it.
  RedisRand48Reset();
  int32_t a = RedisLrand48();
  int32_t b = RedisLrand48();
  RedisSrand48(0x1234ABCD);
  CHECK(RedisLrand48() == a);
  CHECK(RedisLrand48() == b);
  // 0.39646477363839039 * (2^31 - 1), Redis's first math.random() after start.
  CHECK(a == 851401618);
}

TEST_CASE("Open functions leave the stack alone and install the globals", "[lua]") {
  lua_State* L = luaL_newstate();
  luaL_openlibs(L);
  lua_pushinteger(L, 7);
  OpenStruct(L);
  OpenCmsgpack(L);
  OpenRedisMath(L);
  CHECK(lua_gettop(L) == 1);
  for (const char* name : {"struct", "cmsgpack", "math"}) {
    lua_getglobal(L, name);
    CHECK(lua_istable(L, -1));
    lua_pop(L, 1);
  }
  lua_getglobal(L, "math");
  lua_getfield(L, -1, "random");
  CHECK(lua_iscfunction(L, -1));
  lua_getfield(L, -2, "floor");  // the rest of math is untouched
  CHECK(lua_iscfunction(L, -1));
  lua_close(L);
}

}  // namespace
}  // namespace baozi::lua::testing
