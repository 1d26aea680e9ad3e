#include <config.h>
#include "datapath/dp-parse.h"
