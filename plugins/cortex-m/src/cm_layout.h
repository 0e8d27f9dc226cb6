/* plugins/cortex-m/src/cm_layout.h — the weight layouts of the image
 * (device.fc_weights) and what the run's report says about them: each
 * layer's layout as the built image holds it and the figures the choice
 * was made on (neurio_device_info.layouts / weights_choice).  Internal to
 * the cortex-m plugin. */
#ifndef CM_LAYOUT_H
#define CM_LAYOUT_H

#include <stddef.h>
#include <stdint.h>

#include "cm_firmware.h"
#include "cm_profile.h"
#include "neurio/codegen.h"
#include "neurio/plugin.h"

typedef struct cm_layout {
    int setting;                /* NEURIO_FC_WEIGHTS_*                         */
    const char *setting_name;   /* "auto", "int8", "int16" (static)            */
    int compact;                /* device.weights = compact (setting: auto
                                   resolved to NEURIO_FC_WEIGHTS_INT8)         */
    neurio_codegen_layer *cg;   /* [n] what the code generator emitted         */
    neurio_layer_layout *out;   /* [n] what the built image holds              */
    uint32_t n;
    neurio_codegen_result res;  /* of the last generation                      */
    neurio_codegen_options opts;/* its options (borrowed strings: the core's)  */
    uint64_t budget;            /* the flash_budget it was given               */
    int budget_measured;        /* 1: from a first image's measured code       */
    int packed;                 /* the image holds the packed layouts          */
    int fell_back;              /* the measured budget did not fit: estimate   */
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
 * packed layouts (cm_fw_packed), how much of it is the model's
 * constants, and the report's layouts and choice. */
int cm_layout_measure(cm_layout *L, const cm_profile *p, const cm_fw_args *fa, const char *elf,
                      const cm_fw_sizes *sz, neurio_errbuf *err);

/* Flash the int16 FULLY_CONNECTED kernel may add to the code measured on
 * an image that does not link it yet (nk_fully_connected_s8_packed16 and
 * its DSP core: 304 bytes on the M4 at -O2), and the alignment of the
 * packed arrays, rounded up. */
#define CM_FC16_CODE_SLACK 1024u

/* device.fc_weights = auto chose with the flash less CM_CODE_RESERVE, an
 * estimate of the code.  When that left layers int8 (res.fc_budget_int8)
 * on an image with the packed layouts, no bulk memory, and a code memory
 * larger than this image's measured code needs: generate again into
 * gen_dir with the first generation's options and the budget the flash less
 * the measured code and CM_FC16_CODE_SLACK, build again (fa, sz, elf of
 * cap bytes) and measure.  Should that image not fit, the first choice is
 * generated and built again.  *rebuilt = builds made (0: nothing to do). */
int cm_layout_rebuild(cm_layout *L, const cm_profile *p, const neurio_model *m,
                      const char *gen_dir, const cm_fw_args *fa,
                      cm_fw_sizes *sz, char *elf, size_t cap, int *rebuilt, neurio_errbuf *err);

/* The report's fields of *info (when its size covers them). */
void cm_layout_info(const cm_layout *L, neurio_device_info *info);

void cm_layout_free(cm_layout *L);

#endif
