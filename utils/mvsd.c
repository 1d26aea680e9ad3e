#include <config.h>
#include "openvswitch/vlog.h"
#include "datapath/dp-key.h"
#include "datapath/dp-actions.h"
int main(void) { return 0; }
