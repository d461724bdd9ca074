// Placeholder until the implementation lands.
#include "pkg_fs/installer.h"
