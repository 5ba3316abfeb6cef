/* The target's only function is inline in include/CWriteback.h; SwiftPM needs one source file. */
#include "CWriteback.h"
