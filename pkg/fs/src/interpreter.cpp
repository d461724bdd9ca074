// Placeholder until the implementation lands.
#include "pkg_fs/interpreter.h"
