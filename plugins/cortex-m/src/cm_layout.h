/* plugins/cortex-m/src/cm_layout.h — the weight layouts of the image
 * (device.fc_weights) and what the run's report says about them: each
 * layer's layout as the built image holds it and the figures the choice
 * was made on (neurio_device_info.layouts / weights_choice).  Internal to
 * the cortex-m plugin. */
#ifndef CM_LAYOUT_H
#define CM_LAYOUT_H

#include <stdint.h>

#include "cm_firmware.h"
#include "cm_profile.h"
#include "neurio/codegen.h"
#include "neurio/plugin.h"

typedef struct cm_layout {
    int setting;                /* NEURIO_FC_WEIGHTS_*                         */
    const char *setting_name;   /* "auto", "int8", "int16" (static)            */
    neurio_codegen_layer *cg;   /* [n] what the code generator emitted         */
    neurio_layer_layout *out;   /* [n] what the built image holds              */
    uint32_t n;
    neurio_codegen_result res;  /* of the last generation                      */
    uint64_t budget;            /* the flash_budget it was given               */
    int budget_measured;        /* 1: from this image's measured code          */
    uint64_t code_bytes;        /* the image less the model's constants        */
    uint64_t const_image;       /* the model's constants in the image (ng_*)   */
    uint32_t builds;            /* firmware builds so far                      */
    neurio_weights_choice choice;
    char decision[512], code_source[256];
} cm_layout;

/* neurio_codegen() with opts (its flash_budget already set), recording
 * each layer's layout in L.  NEURIO_OK or the generator's error. */
int cm_layout_generate(cm_layout *L, const neurio_model *m, const char *out_dir,
                       neurio_codegen_options *opts, neurio_errbuf *err);

/* After a successful build (elf, sz) with fa: whether the image holds the
 * packed layouts (cm_fw_fc_packed), how much of it is the model's
 * constants, and the report's layouts and choice. */
int cm_layout_measure(cm_layout *L, const cm_profile *p, const cm_fw_args *fa, const char *elf,
                      const cm_fw_sizes *sz, neurio_errbuf *err);

/* The report's fields of *info (when its size covers them). */
void cm_layout_info(const cm_layout *L, neurio_device_info *info);

void cm_layout_free(cm_layout *L);

#endif
