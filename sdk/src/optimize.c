/* sdk/src/optimize.c — neurio_optimize(): runs every pass (stubbed for now). */
#include "neurio/optimize.h"

static int nopt_todo(const char *pass, neurio_errbuf *err)
{
    return neurio_fail(err, NEURIO_ERR_UNSUPPORTED, "optimizer pass '%s' is not implemented yet", pass);
}
int neurio_opt_fold_constants(neurio_model *m, neurio_errbuf *err) { (void)m; return nopt_todo("fold_constants", err); }
int neurio_opt_fold_batch_norm(neurio_model *m, neurio_errbuf *err) { (void)m; return nopt_todo("fold_batch_norm", err); }
int neurio_opt_fuse_activations(neurio_model *m, neurio_errbuf *err) { (void)m; return nopt_todo("fuse_activations", err); }
int neurio_opt_remove_identity(neurio_model *m, neurio_errbuf *err) { (void)m; return nopt_todo("remove_identity", err); }
int neurio_opt_remove_dead(neurio_model *m, neurio_errbuf *err) { (void)m; return nopt_todo("remove_dead", err); }

int neurio_optimize(neurio_model *m, neurio_errbuf *err)
{
    (void)m; (void)err;
    return NEURIO_OK; /* no pass yet: the model is left as imported */
}
