#include <config.h>
#include "datapath/dp-actions.h"
