/* plugins/cortex-m/firmware/cm_main.c — main() of a neurio Cortex-M image:
 * serve the link for the model linked in (generated code).  The reset
 * handler (cm_startup.c) has initialised memory, the FPU and the board. */
#include "neurio_model_desc.h"
#include "nrt.h"
#include "platform.h"

int main(void)
{
    platform_init();
    (void)nrt_serve(neurio_model_get(), 0);
    /* nrt_serve only returns when the model descriptor is unusable (after
     * telling the host in a hello); idle so the host can read it. */
    for (;;) {
    }
}
