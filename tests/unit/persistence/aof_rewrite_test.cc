// The command form of a keyspace (aof-use-rdb-preamble no) compared with what redis-server
// 7.0.15 wrote for the same data: expected bytes per key below come from its BGREWRITEAOF base
// file (appendonly.aof.2.base.aof), generated with the dataset in BuildDataset. Keys are
// compared one by one because the order of keys in a database follows each server's hash
// table; every value here uses an encoding whose order is deterministic (listpack, intset,
// quicklist). Also the RESP form of one command and the SELECT rule.
#include <catch2/catch.hpp>
#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "persistence/aof.h"
#include "storage/hash.h"
#include "storage/list.h"
#include "storage/set.h"
#include "storage/zset.h"

namespace baozi::aof {
namespace {

struct Expected {
  int db;
  const char* key;
  const char* bytes;
};

// Generated from Redis's file: the commands of each key, concatenated.
// clang-format off
const Expected kRedis[] = {
    {0, "h:big",
     "*130\r\n$5\r\nHMSET\r\n$5\r\nh:big\r\n$2\r\nf1\r\n$2\r\nv1\r\n$2\r\nf2\r\n$2\r\nv2\r"
     "\n$2\r\nf3\r\n$2\r\nv3\r\n$2\r\nf4\r\n$2\r\nv4\r\n$2\r\nf5\r\n$2\r\nv5\r\n$2\r\nf6\r"
     "\n$2\r\nv6\r\n$2\r\nf7\r\n$2\r\nv7\r\n$2\r\nf8\r\n$2\r\nv8\r\n$2\r\nf9\r\n$2\r\nv9\r"
     "\n$3\r\nf10\r\n$3\r\nv10\r\n$3\r\nf11\r\n$3\r\nv11\r\n$3\r\nf12\r\n$3\r\nv12\r\n$3\r"
     "\nf13\r\n$3\r\nv13\r\n$3\r\nf14\r\n$3\r\nv14\r\n$3\r\nf15\r\n$3\r\nv15\r\n$3\r\nf16\r"
     "\n$3\r\nv16\r\n$3\r\nf17\r\n$3\r\nv17\r\n$3\r\nf18\r\n$3\r\nv18\r\n$3\r\nf19\r\n$3\r"
     "\nv19\r\n$3\r\nf20\r\n$3\r\nv20\r\n$3\r\nf21\r\n$3\r\nv21\r\n$3\r\nf22\r\n$3\r\nv22\r"
     "\n$3\r\nf23\r\n$3\r\nv23\r\n$3\r\nf24\r\n$3\r\nv24\r\n$3\r\nf25\r\n$3\r\nv25\r\n$3\r"
     "\nf26\r\n$3\r\nv26\r\n$3\r\nf27\r\n$3\r\nv27\r\n$3\r\nf28\r\n$3\r\nv28\r\n$3\r\nf29\r"
     "\n$3\r\nv29\r\n$3\r\nf30\r\n$3\r\nv30\r\n$3\r\nf31\r\n$3\r\nv31\r\n$3\r\nf32\r\n$3\r"
     "\nv32\r\n$3\r\nf33\r\n$3\r\nv33\r\n$3\r\nf34\r\n$3\r\nv34\r\n$3\r\nf35\r\n$3\r\nv35\r"
     "\n$3\r\nf36\r\n$3\r\nv36\r\n$3\r\nf37\r\n$3\r\nv37\r\n$3\r\nf38\r\n$3\r\nv38\r\n$3\r"
     "\nf39\r\n$3\r\nv39\r\n$3\r\nf40\r\n$3\r\nv40\r\n$3\r\nf41\r\n$3\r\nv41\r\n$3\r\nf42\r"
     "\n$3\r\nv42\r\n$3\r\nf43\r\n$3\r\nv43\r\n$3\r\nf44\r\n$3\r\nv44\r\n$3\r\nf45\r\n$3\r"
     "\nv45\r\n$3\r\nf46\r\n$3\r\nv46\r\n$3\r\nf47\r\n$3\r\nv47\r\n$3\r\nf48\r\n$3\r\nv48\r"
     "\n$3\r\nf49\r\n$3\r\nv49\r\n$3\r\nf50\r\n$3\r\nv50\r\n$3\r\nf51\r\n$3\r\nv51\r\n$3\r"
     "\nf52\r\n$3\r\nv52\r\n$3\r\nf53\r\n$3\r\nv53\r\n$3\r\nf54\r\n$3\r\nv54\r\n$3\r\nf55\r"
     "\n$3\r\nv55\r\n$3\r\nf56\r\n$3\r\nv56\r\n$3\r\nf57\r\n$3\r\nv57\r\n$3\r\nf58\r\n$3\r"
     "\nv58\r\n$3\r\nf59\r\n$3\r\nv59\r\n$3\r\nf60\r\n$3\r\nv60\r\n$3\r\nf61\r\n$3\r\nv61\r"
     "\n$3\r\nf62\r\n$3\r\nv62\r\n$3\r\nf63\r\n$3\r\nv63\r\n$3\r\nf64\r\n$3\r\nv64\r\n*74\r"
     "\n$5\r\nHMSET\r\n$5\r\nh:big\r\n$3\r\nf65\r\n$3\r\nv65\r\n$3\r\nf66\r\n$3\r\nv66\r\n"
     "$3\r\nf67\r\n$3\r\nv67\r\n$3\r\nf68\r\n$3\r\nv68\r\n$3\r\nf69\r\n$3\r\nv69\r\n$3\r\n"
     "f70\r\n$3\r\nv70\r\n$3\r\nf71\r\n$3\r\nv71\r\n$3\r\nf72\r\n$3\r\nv72\r\n$3\r\nf73\r\n"
     "$3\r\nv73\r\n$3\r\nf74\r\n$3\r\nv74\r\n$3\r\nf75\r\n$3\r\nv75\r\n$3\r\nf76\r\n$3\r\n"
     "v76\r\n$3\r\nf77\r\n$3\r\nv77\r\n$3\r\nf78\r\n$3\r\nv78\r\n$3\r\nf79\r\n$3\r\nv79\r\n"
     "$3\r\nf80\r\n$3\r\nv80\r\n$3\r\nf81\r\n$3\r\nv81\r\n$3\r\nf82\r\n$3\r\nv82\r\n$3\r\n"
     "f83\r\n$3\r\nv83\r\n$3\r\nf84\r\n$3\r\nv84\r\n$3\r\nf85\r\n$3\r\nv85\r\n$3\r\nf86\r\n"
     "$3\r\nv86\r\n$3\r\nf87\r\n$3\r\nv87\r\n$3\r\nf88\r\n$3\r\nv88\r\n$3\r\nf89\r\n$3\r\n"
     "v89\r\n$3\r\nf90\r\n$3\r\nv90\r\n$3\r\nf91\r\n$3\r\nv91\r\n$3\r\nf92\r\n$3\r\nv92\r\n"
     "$3\r\nf93\r\n$3\r\nv93\r\n$3\r\nf94\r\n$3\r\nv94\r\n$3\r\nf95\r\n$3\r\nv95\r\n$3\r\n"
     "f96\r\n$3\r\nv96\r\n$3\r\nf97\r\n$3\r\nv97\r\n$3\r\nf98\r\n$3\r\nv98\r\n$3\r\nf99\r\n"
     "$3\r\nv99\r\n$4\r\nf100\r\n$4\r\nv100\r\n"
    },
    {0, "h:lp",
     "*10\r\n$5\r\nHMSET\r\n$4\r\nh:lp\r\n$2\r\nf1\r\n$2\r\nv1\r\n$2\r\nf2\r\n$3\r\n123\r\n"
     "$0\r\n\r\n$5\r\nempty\r\n$1\r\nn\r\n$2\r\n-9\r\n*3\r\n$9\r\nPEXPIREAT\r\n$4\r\nh:lp\r"
     "\n$13\r\n4102444800123\r\n"
    },
    {0, "l:big",
     "*66\r\n$5\r\nRPUSH\r\n$5\r\nl:big\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n$1\r\n4\r\n$1\r"
     "\n5\r\n$1\r\n6\r\n$1\r\n7\r\n$1\r\n8\r\n$1\r\n9\r\n$2\r\n10\r\n$2\r\n11\r\n$2\r\n12\r"
     "\n$2\r\n13\r\n$2\r\n14\r\n$2\r\n15\r\n$2\r\n16\r\n$2\r\n17\r\n$2\r\n18\r\n$2\r\n19\r"
     "\n$2\r\n20\r\n$2\r\n21\r\n$2\r\n22\r\n$2\r\n23\r\n$2\r\n24\r\n$2\r\n25\r\n$2\r\n26\r"
     "\n$2\r\n27\r\n$2\r\n28\r\n$2\r\n29\r\n$2\r\n30\r\n$2\r\n31\r\n$2\r\n32\r\n$2\r\n33\r"
     "\n$2\r\n34\r\n$2\r\n35\r\n$2\r\n36\r\n$2\r\n37\r\n$2\r\n38\r\n$2\r\n39\r\n$2\r\n40\r"
     "\n$2\r\n41\r\n$2\r\n42\r\n$2\r\n43\r\n$2\r\n44\r\n$2\r\n45\r\n$2\r\n46\r\n$2\r\n47\r"
     "\n$2\r\n48\r\n$2\r\n49\r\n$2\r\n50\r\n$2\r\n51\r\n$2\r\n52\r\n$2\r\n53\r\n$2\r\n54\r"
     "\n$2\r\n55\r\n$2\r\n56\r\n$2\r\n57\r\n$2\r\n58\r\n$2\r\n59\r\n$2\r\n60\r\n$2\r\n61\r"
     "\n$2\r\n62\r\n$2\r\n63\r\n$2\r\n64\r\n*66\r\n$5\r\nRPUSH\r\n$5\r\nl:big\r\n$2\r\n65\r"
     "\n$2\r\n66\r\n$2\r\n67\r\n$2\r\n68\r\n$2\r\n69\r\n$2\r\n70\r\n$2\r\n71\r\n$2\r\n72\r"
     "\n$2\r\n73\r\n$2\r\n74\r\n$2\r\n75\r\n$2\r\n76\r\n$2\r\n77\r\n$2\r\n78\r\n$2\r\n79\r"
     "\n$2\r\n80\r\n$2\r\n81\r\n$2\r\n82\r\n$2\r\n83\r\n$2\r\n84\r\n$2\r\n85\r\n$2\r\n86\r"
     "\n$2\r\n87\r\n$2\r\n88\r\n$2\r\n89\r\n$2\r\n90\r\n$2\r\n91\r\n$2\r\n92\r\n$2\r\n93\r"
     "\n$2\r\n94\r\n$2\r\n95\r\n$2\r\n96\r\n$2\r\n97\r\n$2\r\n98\r\n$2\r\n99\r\n$3\r\n100\r"
     "\n$3\r\n101\r\n$3\r\n102\r\n$3\r\n103\r\n$3\r\n104\r\n$3\r\n105\r\n$3\r\n106\r\n$3\r"
     "\n107\r\n$3\r\n108\r\n$3\r\n109\r\n$3\r\n110\r\n$3\r\n111\r\n$3\r\n112\r\n$3\r\n113\r"
     "\n$3\r\n114\r\n$3\r\n115\r\n$3\r\n116\r\n$3\r\n117\r\n$3\r\n118\r\n$3\r\n119\r\n$3\r"
     "\n120\r\n$3\r\n121\r\n$3\r\n122\r\n$3\r\n123\r\n$3\r\n124\r\n$3\r\n125\r\n$3\r\n126\r"
     "\n$3\r\n127\r\n$3\r\n128\r\n*4\r\n$5\r\nRPUSH\r\n$5\r\nl:big\r\n$3\r\n129\r\n$3\r\n1"
     "30\r\n"
    },
    {0, "l:small",
     "*7\r\n$5\r\nRPUSH\r\n$7\r\nl:small\r\n$1\r\na\r\n$1\r\n1\r\n$2\r\n-5\r\n$10\r\n30000"
     "00000\r\n$0\r\n\r\n"
    },
    {0, "s:bin",
     "*3\r\n$3\r\nSET\r\n$5\r\ns:bin\r\n$4\r\na\r\nb\r\n"
    },
    {0, "s:emb",
     "*3\r\n$3\r\nSET\r\n$5\r\ns:emb\r\n$11\r\nhello world\r\n"
    },
    {0, "s:empty",
     "*3\r\n$3\r\nSET\r\n$7\r\ns:empty\r\n$0\r\n\r\n"
    },
    {0, "s:int",
     "*3\r\n$3\r\nSET\r\n$5\r\ns:int\r\n$5\r\n12345\r\n"
    },
    {0, "s:neg",
     "*3\r\n$3\r\nSET\r\n$5\r\ns:neg\r\n$3\r\n-42\r\n"
    },
    {0, "s:ttl",
     "*3\r\n$3\r\nSET\r\n$5\r\ns:ttl\r\n$8\r\nexpiring\r\n*3\r\n$9\r\nPEXPIREAT\r\n$5\r\ns"
     ":ttl\r\n$13\r\n4102444800000\r\n"
    },
    {0, "set:bigint",
     "*66\r\n$4\r\nSADD\r\n$10\r\nset:bigint\r\n$4\r\n1000\r\n$4\r\n1001\r\n$4\r\n1002\r\n"
     "$4\r\n1003\r\n$4\r\n1004\r\n$4\r\n1005\r\n$4\r\n1006\r\n$4\r\n1007\r\n$4\r\n1008\r\n"
     "$4\r\n1009\r\n$4\r\n1010\r\n$4\r\n1011\r\n$4\r\n1012\r\n$4\r\n1013\r\n$4\r\n1014\r\n"
     "$4\r\n1015\r\n$4\r\n1016\r\n$4\r\n1017\r\n$4\r\n1018\r\n$4\r\n1019\r\n$4\r\n1020\r\n"
     "$4\r\n1021\r\n$4\r\n1022\r\n$4\r\n1023\r\n$4\r\n1024\r\n$4\r\n1025\r\n$4\r\n1026\r\n"
     "$4\r\n1027\r\n$4\r\n1028\r\n$4\r\n1029\r\n$4\r\n1030\r\n$4\r\n1031\r\n$4\r\n1032\r\n"
     "$4\r\n1033\r\n$4\r\n1034\r\n$4\r\n1035\r\n$4\r\n1036\r\n$4\r\n1037\r\n$4\r\n1038\r\n"
     "$4\r\n1039\r\n$4\r\n1040\r\n$4\r\n1041\r\n$4\r\n1042\r\n$4\r\n1043\r\n$4\r\n1044\r\n"
     "$4\r\n1045\r\n$4\r\n1046\r\n$4\r\n1047\r\n$4\r\n1048\r\n$4\r\n1049\r\n$4\r\n1050\r\n"
     "$4\r\n1051\r\n$4\r\n1052\r\n$4\r\n1053\r\n$4\r\n1054\r\n$4\r\n1055\r\n$4\r\n1056\r\n"
     "$4\r\n1057\r\n$4\r\n1058\r\n$4\r\n1059\r\n$4\r\n1060\r\n$4\r\n1061\r\n$4\r\n1062\r\n"
     "$4\r\n1063\r\n*66\r\n$4\r\nSADD\r\n$10\r\nset:bigint\r\n$4\r\n1064\r\n$4\r\n1065\r\n"
     "$4\r\n1066\r\n$4\r\n1067\r\n$4\r\n1068\r\n$4\r\n1069\r\n$4\r\n1070\r\n$4\r\n1071\r\n"
     "$4\r\n1072\r\n$4\r\n1073\r\n$4\r\n1074\r\n$4\r\n1075\r\n$4\r\n1076\r\n$4\r\n1077\r\n"
     "$4\r\n1078\r\n$4\r\n1079\r\n$4\r\n1080\r\n$4\r\n1081\r\n$4\r\n1082\r\n$4\r\n1083\r\n"
     "$4\r\n1084\r\n$4\r\n1085\r\n$4\r\n1086\r\n$4\r\n1087\r\n$4\r\n1088\r\n$4\r\n1089\r\n"
     "$4\r\n1090\r\n$4\r\n1091\r\n$4\r\n1092\r\n$4\r\n1093\r\n$4\r\n1094\r\n$4\r\n1095\r\n"
     "$4\r\n1096\r\n$4\r\n1097\r\n$4\r\n1098\r\n$4\r\n1099\r\n$4\r\n1100\r\n$4\r\n1101\r\n"
     "$4\r\n1102\r\n$4\r\n1103\r\n$4\r\n1104\r\n$4\r\n1105\r\n$4\r\n1106\r\n$4\r\n1107\r\n"
     "$4\r\n1108\r\n$4\r\n1109\r\n$4\r\n1110\r\n$4\r\n1111\r\n$4\r\n1112\r\n$4\r\n1113\r\n"
     "$4\r\n1114\r\n$4\r\n1115\r\n$4\r\n1116\r\n$4\r\n1117\r\n$4\r\n1118\r\n$4\r\n1119\r\n"
     "$4\r\n1120\r\n$4\r\n1121\r\n$4\r\n1122\r\n$4\r\n1123\r\n$4\r\n1124\r\n$4\r\n1125\r\n"
     "$4\r\n1126\r\n$4\r\n1127\r\n*5\r\n$4\r\nSADD\r\n$10\r\nset:bigint\r\n$4\r\n1128\r\n$"
     "4\r\n1129\r\n$4\r\n1130\r\n"
    },
    {0, "set:int",
     "*7\r\n$4\r\nSADD\r\n$7\r\nset:int\r\n$2\r\n-3\r\n$1\r\n0\r\n$1\r\n5\r\n$1\r\n7\r\n$3"
     "\r\n100\r\n"
    },
    {0, "z:big",
     "*130\r\n$4\r\nZADD\r\n$5\r\nz:big\r\n$3\r\n1.5\r\n$2\r\nm1\r\n$3\r\n2.5\r\n$2\r\nm2\r"
     "\n$3\r\n3.5\r\n$2\r\nm3\r\n$3\r\n4.5\r\n$2\r\nm4\r\n$3\r\n5.5\r\n$2\r\nm5\r\n$3\r\n6"
     ".5\r\n$2\r\nm6\r\n$3\r\n7.5\r\n$2\r\nm7\r\n$3\r\n8.5\r\n$2\r\nm8\r\n$3\r\n9.5\r\n$2\r"
     "\nm9\r\n$4\r\n10.5\r\n$3\r\nm10\r\n$4\r\n11.5\r\n$3\r\nm11\r\n$4\r\n12.5\r\n$3\r\nm1"
     "2\r\n$4\r\n13.5\r\n$3\r\nm13\r\n$4\r\n14.5\r\n$3\r\nm14\r\n$4\r\n15.5\r\n$3\r\nm15\r"
     "\n$4\r\n16.5\r\n$3\r\nm16\r\n$4\r\n17.5\r\n$3\r\nm17\r\n$4\r\n18.5\r\n$3\r\nm18\r\n$"
     "4\r\n19.5\r\n$3\r\nm19\r\n$4\r\n20.5\r\n$3\r\nm20\r\n$4\r\n21.5\r\n$3\r\nm21\r\n$4\r"
     "\n22.5\r\n$3\r\nm22\r\n$4\r\n23.5\r\n$3\r\nm23\r\n$4\r\n24.5\r\n$3\r\nm24\r\n$4\r\n2"
     "5.5\r\n$3\r\nm25\r\n$4\r\n26.5\r\n$3\r\nm26\r\n$4\r\n27.5\r\n$3\r\nm27\r\n$4\r\n28.5"
     "\r\n$3\r\nm28\r\n$4\r\n29.5\r\n$3\r\nm29\r\n$4\r\n30.5\r\n$3\r\nm30\r\n$4\r\n31.5\r\n"
     "$3\r\nm31\r\n$4\r\n32.5\r\n$3\r\nm32\r\n$4\r\n33.5\r\n$3\r\nm33\r\n$4\r\n34.5\r\n$3\r"
     "\nm34\r\n$4\r\n35.5\r\n$3\r\nm35\r\n$4\r\n36.5\r\n$3\r\nm36\r\n$4\r\n37.5\r\n$3\r\nm"
     "37\r\n$4\r\n38.5\r\n$3\r\nm38\r\n$4\r\n39.5\r\n$3\r\nm39\r\n$4\r\n40.5\r\n$3\r\nm40\r"
     "\n$4\r\n41.5\r\n$3\r\nm41\r\n$4\r\n42.5\r\n$3\r\nm42\r\n$4\r\n43.5\r\n$3\r\nm43\r\n$"
     "4\r\n44.5\r\n$3\r\nm44\r\n$4\r\n45.5\r\n$3\r\nm45\r\n$4\r\n46.5\r\n$3\r\nm46\r\n$4\r"
     "\n47.5\r\n$3\r\nm47\r\n$4\r\n48.5\r\n$3\r\nm48\r\n$4\r\n49.5\r\n$3\r\nm49\r\n$4\r\n5"
     "0.5\r\n$3\r\nm50\r\n$4\r\n51.5\r\n$3\r\nm51\r\n$4\r\n52.5\r\n$3\r\nm52\r\n$4\r\n53.5"
     "\r\n$3\r\nm53\r\n$4\r\n54.5\r\n$3\r\nm54\r\n$4\r\n55.5\r\n$3\r\nm55\r\n$4\r\n56.5\r\n"
     "$3\r\nm56\r\n$4\r\n57.5\r\n$3\r\nm57\r\n$4\r\n58.5\r\n$3\r\nm58\r\n$4\r\n59.5\r\n$3\r"
     "\nm59\r\n$4\r\n60.5\r\n$3\r\nm60\r\n$4\r\n61.5\r\n$3\r\nm61\r\n$4\r\n62.5\r\n$3\r\nm"
     "62\r\n$4\r\n63.5\r\n$3\r\nm63\r\n$4\r\n64.5\r\n$3\r\nm64\r\n*74\r\n$4\r\nZADD\r\n$5\r"
     "\nz:big\r\n$4\r\n65.5\r\n$3\r\nm65\r\n$4\r\n66.5\r\n$3\r\nm66\r\n$4\r\n67.5\r\n$3\r\n"
     "m67\r\n$4\r\n68.5\r\n$3\r\nm68\r\n$4\r\n69.5\r\n$3\r\nm69\r\n$4\r\n70.5\r\n$3\r\nm70"
     "\r\n$4\r\n71.5\r\n$3\r\nm71\r\n$4\r\n72.5\r\n$3\r\nm72\r\n$4\r\n73.5\r\n$3\r\nm73\r\n"
     "$4\r\n74.5\r\n$3\r\nm74\r\n$4\r\n75.5\r\n$3\r\nm75\r\n$4\r\n76.5\r\n$3\r\nm76\r\n$4\r"
     "\n77.5\r\n$3\r\nm77\r\n$4\r\n78.5\r\n$3\r\nm78\r\n$4\r\n79.5\r\n$3\r\nm79\r\n$4\r\n8"
     "0.5\r\n$3\r\nm80\r\n$4\r\n81.5\r\n$3\r\nm81\r\n$4\r\n82.5\r\n$3\r\nm82\r\n$4\r\n83.5"
     "\r\n$3\r\nm83\r\n$4\r\n84.5\r\n$3\r\nm84\r\n$4\r\n85.5\r\n$3\r\nm85\r\n$4\r\n86.5\r\n"
     "$3\r\nm86\r\n$4\r\n87.5\r\n$3\r\nm87\r\n$4\r\n88.5\r\n$3\r\nm88\r\n$4\r\n89.5\r\n$3\r"
     "\nm89\r\n$4\r\n90.5\r\n$3\r\nm90\r\n$4\r\n91.5\r\n$3\r\nm91\r\n$4\r\n92.5\r\n$3\r\nm"
     "92\r\n$4\r\n93.5\r\n$3\r\nm93\r\n$4\r\n94.5\r\n$3\r\nm94\r\n$4\r\n95.5\r\n$3\r\nm95\r"
     "\n$4\r\n96.5\r\n$3\r\nm96\r\n$4\r\n97.5\r\n$3\r\nm97\r\n$4\r\n98.5\r\n$3\r\nm98\r\n$"
     "4\r\n99.5\r\n$3\r\nm99\r\n$5\r\n100.5\r\n$4\r\nm100\r\n"
    },
    {0, "z:lp",
     "*18\r\n$4\r\nZADD\r\n$4\r\nz:lp\r\n$4\r\n-inf\r\n$1\r\nc\r\n$1\r\n0\r\n$1\r\nf\r\n$1"
     "9\r\n0.10000000000000001\r\n$2\r\n12\r\n$1\r\n1\r\n$1\r\na\r\n$3\r\n2.5\r\n$1\r\nb\r"
     "\n$1\r\n3\r\n$1\r\ng\r\n$23\r\n1.0000000000000001e+300\r\n$1\r\ne\r\n$3\r\ninf\r\n$1"
     "\r\nd\r\n"
    },
    {3, "other",
     "*3\r\n$3\r\nSET\r\n$5\r\nother\r\n$3\r\ndb3\r\n"
    },
};
// clang-format on

void BuildDataset(Keyspace& ks) {
  const EncodingLimits& lim = ks.limits;
  Db& db = ks.db(0);
  db.Add("s:int", Value::FromString("12345"));
  db.Add("s:neg", Value::FromString("-42"));
  db.Add("s:emb", Value::FromString("hello world"));
  db.Add("s:empty", Value::FromString(""));
  db.Add("s:bin", Value::FromString("a\r\nb"));
  db.SetExpire(db.Add("s:ttl", Value::FromString("expiring")), 4102444800000);

  auto* small = new ListObject(lim.list_max_listpack_size);
  for (const char* e : {"a", "1", "-5", "3000000000", ""}) small->PushTail(e);
  db.Add("l:small", Value::Wrap(small));
  auto* big = new ListObject(lim.list_max_listpack_size);
  for (int i = 1; i <= 130; ++i) big->PushTail(std::to_string(i));
  db.Add("l:big", Value::Wrap(big));

  auto* si = new SetObject();
  for (const char* m : {"5", "-3", "100", "7", "0"}) si->Add(m, lim.set_max_intset_entries);
  db.Add("set:int", Value::Wrap(si));
  auto* sb = new SetObject();
  for (int i = 1000; i <= 1130; ++i) sb->Add(std::to_string(i), lim.set_max_intset_entries);
  REQUIRE(sb->is_intset());
  db.Add("set:bigint", Value::Wrap(sb));

  auto* z = new ZsetObject();
  z->Insert("a", 1, lim);
  z->Insert("b", 2.5, lim);
  z->Insert("c", -HUGE_VAL, lim);
  z->Insert("d", HUGE_VAL, lim);
  z->Insert("e", 1e300, lim);
  z->Insert("f", 0, lim);
  z->Insert("12", 0.1, lim);
  z->Insert("g", 3, lim);
  db.Add("z:lp", Value::Wrap(z));
  auto* zb = new ZsetObject();
  for (int i = 1; i <= 100; ++i) zb->Insert("m" + std::to_string(i), i + 0.5, lim);
  REQUIRE(zb->is_listpack());
  db.Add("z:big", Value::Wrap(zb));

  auto* h = new HashObject();
  h->Set("f1", "v1", lim);
  h->Set("f2", "123", lim);
  h->Set("", "empty", lim);
  h->Set("n", "-9", lim);
  db.SetExpire(db.Add("h:lp", Value::Wrap(h)), 4102444800123);
  auto* hb = new HashObject();
  for (int i = 1; i <= 100; ++i) hb->Set("f" + std::to_string(i), "v" + std::to_string(i), lim);
  REQUIRE(hb->is_listpack());
  db.Add("h:big", Value::Wrap(hb));

  ks.db(3).Add("other", Value::FromString("db3"));
}

// Splits a command stream into SELECT order and per (db, key) bytes.
struct Split {
  std::vector<int> dbs;
  std::map<std::pair<int, std::string>, std::string> keys;
};

Split SplitStream(std::string_view data) {
  Split out;
  CommandReader r(data);
  int db = -1;
  while (r.Next()) {
    const auto argv = r.argv();
    const std::string_view raw =
        data.substr(r.command_start(), r.command_end() - r.command_start());
    if (argv[0] == "SELECT") {
      db = std::stoi(std::string(argv[1]));
      out.dbs.push_back(db);
      continue;
    }
    REQUIRE(argv.size() >= 2);
    out.keys[{db, std::string(argv[1])}] += raw;
  }
  REQUIRE(r.status() == ReadStatus::kOk);
  return out;
}

TEST_CASE("aof rewrite: same bytes per key as Redis 7.0", "[aof][rewrite]") {
  Keyspace ks(16);
  BuildDataset(ks);
  std::string out;
  rdb::StringSink sink(&out);
  REQUIRE(RewriteAsCommands(ks, sink, RewriteOptions{}));
  const Split ours = SplitStream(out);
  CHECK(ours.dbs == std::vector<int>{0, 3});
  std::map<std::pair<int, std::string>, std::string> redis;
  for (const Expected& e : kRedis) redis[{e.db, e.key}] = e.bytes;
  REQUIRE(ours.keys.size() == redis.size());
  for (const auto& [k, bytes] : redis) {
    INFO("db " << k.first << " key " << k.second);
    auto it = ours.keys.find(k);
    REQUIRE(it != ours.keys.end());
    CHECK(it->second == bytes);
  }
  // Everything starts with the SELECT of db 0.
  CHECK(out.starts_with("*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n"));
}

TEST_CASE("aof rewrite: batches, empty keyspace, timestamp, big values", "[aof][rewrite]") {
  Keyspace ks(16);
  std::string out;
  rdb::StringSink sink(&out);
  REQUIRE(RewriteAsCommands(ks, sink, RewriteOptions{}));
  CHECK(out.empty());
  REQUIRE(RewriteAsCommands(ks, sink, RewriteOptions{true, 1700000000, {}}));
  CHECK(out == "#TS:1700000000\r\n");

  // 128 items: exactly two full batches; 129: a third of one item.
  for (int n : {64, 128, 129}) {
    Keyspace k2(16);
    auto* l = new ListObject(k2.limits.list_max_listpack_size);
    for (int i = 0; i < n; ++i) l->PushTail("x");
    k2.db(5).Add("l", Value::Wrap(l));
    std::string s;
    rdb::StringSink ss(&s);
    REQUIRE(RewriteAsCommands(k2, ss, RewriteOptions{}));
    CommandReader r(s);
    std::vector<size_t> sizes;
    while (r.Next()) sizes.push_back(r.argv().size());
    std::vector<size_t> want = {2};  // SELECT 5
    for (int left = n; left > 0; left -= 64) want.push_back(2 + std::min(left, 64));
    CHECK(sizes == want);
  }

  // A value larger than the write buffer goes through intact.
  Keyspace k3(16);
  const std::string huge(200000, 'h');
  k3.db(0).Add("big", Value::FromString(huge));
  std::string s;
  rdb::StringSink ss(&s);
  REQUIRE(RewriteAsCommands(k3, ss, RewriteOptions{}));
  CommandReader r(s);
  REQUIRE(r.Next());
  REQUIRE(r.Next());
  CHECK(r.argv()[2] == huge);
  CHECK_FALSE(r.Next());
  CHECK(r.status() == ReadStatus::kOk);
}

TEST_CASE("aof rewrite: hashtable encodings and sink failure", "[aof][rewrite]") {
  Keyspace ks(16);
  const EncodingLimits& lim = ks.limits;
  auto* h = new HashObject();
  for (int i = 0; i < 300; ++i) h->Set("f" + std::to_string(i), std::to_string(i), lim);
  h->ConvertToHashtable();
  REQUIRE_FALSE(h->is_listpack());
  ks.db(0).Add("h", Value::Wrap(h));
  auto* s = new SetObject();
  for (int i = 0; i < 300; ++i) s->Add("m" + std::to_string(i), lim.set_max_intset_entries);
  ks.db(0).Add("s", Value::Wrap(s));
  auto* z = new ZsetObject();
  for (int i = 0; i < 300; ++i) z->Insert("m" + std::to_string(i), i * 0.1, lim);
  REQUIRE_FALSE(z->is_listpack());
  ks.db(0).Add("z", Value::Wrap(z));
  std::string out;
  rdb::StringSink sink(&out);
  REQUIRE(RewriteAsCommands(ks, sink, RewriteOptions{}));
  std::map<std::string, std::map<std::string, std::string>> seen;
  CommandReader r(out);
  while (r.Next()) {
    const auto a = r.argv();
    if (a[0] == "HMSET" || a[0] == "ZADD") {
      REQUIRE(a.size() % 2 == 0);
      for (size_t i = 2; i < a.size(); i += 2)
        seen[std::string(a[1])][std::string(a[i])] = a[i + 1];
    } else if (a[0] == "SADD") {
      for (size_t i = 2; i < a.size(); ++i) seen["s"][std::string(a[i])] = "";
    }
  }
  CHECK(seen["h"].size() == 300);
  CHECK(seen["h"]["f17"] == "17");
  CHECK(seen["s"].size() == 300);
  CHECK(seen["z"].size() == 300);
  CHECK(seen["z"]["0.10000000000000001"] == "m1");

  struct FailingSink : rdb::Sink {
    bool Write(const void*, size_t) override { return false; }
  } failing;
  CHECK_FALSE(RewriteAsCommands(ks, failing, RewriteOptions{}));
}

TEST_CASE("aof feed: RESP form and the SELECT rule", "[aof][rewrite]") {
  std::string out;
  std::vector<std::string_view> set = {"SET", "k", "v"};
  AppendCommand(&out, set);
  CHECK(out == "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n");
  out.clear();
  std::vector<std::string_view> empty_arg = {"DEL", ""};
  AppendCommand(&out, empty_arg);
  CHECK(out == "*2\r\n$3\r\nDEL\r\n$0\r\n\r\n");

  CommandFeed feed;
  out.clear();
  feed.Append(&out, 0, set);
  feed.Append(&out, 0, set);
  feed.Append(&out, 12, set);
  const std::string cmd = "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n";
  CHECK(out == "*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n" + cmd + cmd +
                   "*2\r\n$6\r\nSELECT\r\n$2\r\n12\r\n" + cmd);
  CHECK(feed.selected_db() == 12);
  feed.Reset();
  out.clear();
  feed.Append(&out, 12, set);
  CHECK(out.starts_with("*2\r\n$6\r\nSELECT\r\n$2\r\n12\r\n"));
  CHECK(TimestampAnnotation(1700000000) == "#TS:1700000000\r\n");
}

}  // namespace
}  // namespace baozi::aof
