/* core/cmd_inspect.c — `neurio inspect MODEL [--json]`: what a model is made
 * of (layers, shapes, parameters, MACs, quantization) and whether neurio can
 * run it, without touching a device. */
#include <cjson/cJSON.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands/commands.h"
#include "neurio/codegen.h"
#include "neurio/model.h"
#include "neurio/optimize.h"
#include "neurio/onnx.h"
#include "neurio/tflite.h"

static void inspect_help(void)
{
    printf("usage: neurio inspect MODEL [--json]\n\n"
           "Import MODEL (.tflite, or .onnx) and print its layers (index, op, input and\n"
           "output shapes, dtype, parameters, MACs), totals (parameters, weight bytes,\n"
           "MACs, largest activation), the quantization of the graph inputs and\n"
           "outputs, and any layer neurio cannot run, with the reason: before\n"
           "anything is built, every op x dtype is lowered as code generation would\n"
           "(after the optimizer), and each one with no kernel is named.\n\n"
           "MAC convention: one multiply-accumulate per weight use in CONV_2D,\n"
           "DEPTHWISE_CONV_2D and FULLY_CONNECTED (and MATMUL): output elements x\n"
           "(kernel_h x kernel_w x in_channels) for CONV_2D, output elements x\n"
           "(kernel_h x kernel_w) for DEPTHWISE_CONV_2D, output elements x input\n"
           "features for FULLY_CONNECTED; every other op counts 0.  Parameters are the\n"
           "elements of all constant tensors (weights, biases, shape/axes constants).\n\n"
           "Options:\n"
           "  --json      print one JSON object instead of the table (for tools)\n"
           "  -h, --help  this help\n\n"
           "The exit code is 0 when neurio can run the model, 5 when the model cannot\n"
           "be imported or is not supported (the reason is printed).\n\n%s",
           nr_exit_codes_help);
}

/* --- small formatting helpers ---------------------------------------------- */

static void fmt_shape(const neurio_tensor *t, char *buf, size_t n)
{
    size_t o = (size_t)snprintf(buf, n, "[");
    for (int32_t i = 0; i < t->rank && o < n; i++)
        o += (size_t)snprintf(buf + o, n - o, "%s%d", i ? "," : "", t->dims[i]);
    if (o < n)
        snprintf(buf + o, n - o, "]");
}

static const char *act_name(neurio_activation a)
{
    switch (a) {
    case NEURIO_ACT_NONE: return "";
    case NEURIO_ACT_RELU: return "relu";
    case NEURIO_ACT_RELU6: return "relu6";
    case NEURIO_ACT_RELU_N1_TO_1: return "relu_n1_to_1";
    }
    return "?";
}

static const char *pad_name(neurio_padding p)
{
    switch (p) {
    case NEURIO_PAD_VALID: return "valid";
    case NEURIO_PAD_SAME: return "same";
    case NEURIO_PAD_EXPLICIT: return "explicit";
    }
    return "?";
}

static const neurio_tensor *tensor_or_null(const neurio_model *m, int32_t t)
{
    return t >= 0 && t < m->n_tensors ? &m->tensors[t] : NULL;
}

/* Human summary of an op's attributes ("k3x3 s2x2 same relu"). */
static void fmt_params(const neurio_model *m, const neurio_op *op, char *buf, size_t n)
{
    const neurio_tensor *w = op->n_inputs > 1 ? tensor_or_null(m, op->inputs[1]) : NULL;
    buf[0] = '\0';
    switch (op->kind) {
    case NEURIO_OP_CONV_2D:
    case NEURIO_OP_DEPTHWISE_CONV_2D:
    case NEURIO_OP_TRANSPOSE_CONV: {
        const neurio_conv_attr *a = &op->attr.conv;
        int kh = w && w->rank == 4 ? w->dims[1] : 0, kw = w && w->rank == 4 ? w->dims[2] : 0;
        size_t o = (size_t)snprintf(buf, n, "k%dx%d s%dx%d %s", kh, kw, a->stride_h,
                                    a->stride_w, pad_name(a->padding));
        if (o < n && (a->dilation_h != 1 || a->dilation_w != 1))
            o += (size_t)snprintf(buf + o, n - o, " d%dx%d", a->dilation_h, a->dilation_w);
        if (o < n && op->kind == NEURIO_OP_DEPTHWISE_CONV_2D && a->depth_multiplier != 1)
            o += (size_t)snprintf(buf + o, n - o, " dm%d", a->depth_multiplier);
        if (o < n && a->activation)
            snprintf(buf + o, n - o, " %s", act_name(a->activation));
        break;
    }
    case NEURIO_OP_AVERAGE_POOL_2D:
    case NEURIO_OP_MAX_POOL_2D: {
        const neurio_pool_attr *a = &op->attr.pool;
        snprintf(buf, n, "f%dx%d s%dx%d %s%s%s", a->filter_h, a->filter_w, a->stride_h,
                 a->stride_w, pad_name(a->padding), a->activation ? " " : "",
                 act_name(a->activation));
        break;
    }
    case NEURIO_OP_FULLY_CONNECTED:
        snprintf(buf, n, "%s%s%s", op->attr.fc.keep_num_dims ? "keep_num_dims" : "",
                 op->attr.fc.keep_num_dims && op->attr.fc.activation ? " " : "",
                 act_name(op->attr.fc.activation));
        break;
    case NEURIO_OP_ADD:
    case NEURIO_OP_SUB:
    case NEURIO_OP_MUL:
        snprintf(buf, n, "%s", act_name(op->attr.eltwise.activation));
        break;
    case NEURIO_OP_SOFTMAX:
        snprintf(buf, n, "beta %g", (double)op->attr.softmax.beta);
        break;
    case NEURIO_OP_CONCATENATION:
        snprintf(buf, n, "axis %d%s%s", op->attr.concat.axis,
                 op->attr.concat.activation ? " " : "", act_name(op->attr.concat.activation));
        break;
    case NEURIO_OP_MEAN: {
        size_t o = (size_t)snprintf(buf, n, "axes");
        for (int32_t i = 0; i < op->attr.mean.n_axes && i < NEURIO_MAX_RANK && o < n; i++)
            o += (size_t)snprintf(buf + o, n - o, "%s%d", i ? "," : " ", op->attr.mean.axes[i]);
        if (o < n && op->attr.mean.keep_dims)
            snprintf(buf + o, n - o, " keep_dims");
        break;
    }
    case NEURIO_OP_CLIP:
        snprintf(buf, n, "min %g max %g", (double)op->attr.clip.min, (double)op->attr.clip.max);
        break;
    case NEURIO_OP_TRANSPOSE: {
        const neurio_tensor *x = op->n_inputs > 0 ? tensor_or_null(m, op->inputs[0]) : NULL;
        size_t o = (size_t)snprintf(buf, n, "perm");
        for (int32_t i = 0; x && i < x->rank && o < n; i++)
            o += (size_t)snprintf(buf + o, n - o, "%s%d", i ? "," : " ",
                                  op->attr.transpose.perm[i]);
        break;
    }
    default:
        break;
    }
}

/* Constant elements read by the op (its parameters). */
static uint64_t op_params(const neurio_model *m, const neurio_op *op)
{
    uint64_t n = 0;
    for (int32_t k = 0; k < op->n_inputs; k++) {
        const neurio_tensor *t = tensor_or_null(m, op->inputs[k]);
        if (t && t->data)
            n += neurio_tensor_elements(t);
    }
    return n;
}

/* Why neurio cannot run this op (hybrid layers), or NULL. */
static const char *op_problem(const neurio_model *m, const neurio_op *op)
{
    if (op->kind != NEURIO_OP_CONV_2D && op->kind != NEURIO_OP_DEPTHWISE_CONV_2D &&
        op->kind != NEURIO_OP_FULLY_CONNECTED)
        return NULL;
    const neurio_tensor *x = op->n_inputs > 0 ? tensor_or_null(m, op->inputs[0]) : NULL;
    const neurio_tensor *w = op->n_inputs > 1 ? tensor_or_null(m, op->inputs[1]) : NULL;
    if (x && w && x->dtype == NEURIO_DT_FLOAT32 &&
        (w->dtype == NEURIO_DT_INT8 || w->dtype == NEURIO_DT_UINT8))
        return "hybrid layer (float32 activations, int8 weights) not supported";
    return NULL;
}

typedef struct totals {
    uint64_t params, weight_bytes, macs, largest;
    int32_t largest_t;
} totals;

static totals compute_totals(const neurio_model *m)
{
    totals s = { .largest_t = -1 };
    for (int32_t i = 0; i < m->n_tensors; i++) {
        const neurio_tensor *t = &m->tensors[i];
        if (t->data) {
            s.params += neurio_tensor_elements(t);
            s.weight_bytes += t->data_bytes;
        } else if (neurio_tensor_bytes(t) > s.largest) {
            s.largest = neurio_tensor_bytes(t);
            s.largest_t = i;
        }
    }
    for (int32_t i = 0; i < m->n_ops; i++)
        s.macs += neurio_op_macs(m, &m->ops[i]);
    return s;
}

/* --- text output -------------------------------------------------------------- */

static void print_quant(const neurio_tensor *t)
{
    const neurio_quant *q = &t->quant;
    if (q->count == 0) {
        printf("not quantized");
    } else if (q->count == 1) {
        printf("scale %.9g zero_point %d", (double)q->scale[0], q->zero_point[0]);
    } else {
        printf("per-channel (%d along axis %d), scale[0] %.9g zero_point[0] %d", q->count,
               q->axis, (double)q->scale[0], q->zero_point[0]);
    }
}

static void print_io(const neurio_model *m, const char *what, const int32_t *idx, int32_t n)
{
    for (int32_t i = 0; i < n; i++) {
        const neurio_tensor *t = tensor_or_null(m, idx[i]);
        if (!t)
            continue;
        char sh[96];
        fmt_shape(t, sh, sizeof sh);
        printf("%-7s %d  '%.60s%s' %s %s  ", i ? "" : what, i, t->name,
               strlen(t->name) > 60 ? "..." : "", neurio_dtype_name(t->dtype), sh);
        print_quant(t);
        printf("\n");
    }
}

static void print_text(const neurio_model *m, const char *path, int vrc, const char *vmsg)
{
    char hex[65];
    neurio_model_sha256_hex(m, hex);
    printf("model   %s (%s, %s)\n", m->name, m->format, path);
    if (m->description && *m->description)
        printf("about   %s\n", m->description);
    printf("sha256  %s\n\n", hex);
    printf("%3s  %-18s %-22s %-22s %-8s %-26s %9s %13s\n", "#", "op", "input", "output",
           "dtype", "attributes", "params", "MACs");
    for (int32_t i = 0; i < m->n_ops; i++) {
        const neurio_op *op = &m->ops[i];
        const neurio_tensor *x = op->n_inputs > 0 ? tensor_or_null(m, op->inputs[0]) : NULL;
        const neurio_tensor *y = op->n_outputs > 0 ? tensor_or_null(m, op->outputs[0]) : NULL;
        char xs[64] = "-", ys[64] = "-", ps[96];
        if (x)
            fmt_shape(x, xs, sizeof xs);
        if (y)
            fmt_shape(y, ys, sizeof ys);
        if (op->n_inputs > 1 && (op->kind == NEURIO_OP_ADD || op->kind == NEURIO_OP_SUB ||
                                 op->kind == NEURIO_OP_MUL ||
                                 op->kind == NEURIO_OP_CONCATENATION)) {
            size_t l = strlen(xs);
            snprintf(xs + l, sizeof xs - l, " +%d", op->n_inputs - 1);
        }
        fmt_params(m, op, ps, sizeof ps);
        printf("%3d  %-18s %-22s %-22s %-8s %-26s %9" PRIu64 " %13" PRIu64 "\n", i,
               neurio_op_name(op->kind), xs, ys, y ? neurio_dtype_name(y->dtype) : "-", ps,
               op_params(m, op), neurio_op_macs(m, op));
        const char *why = op_problem(m, op);
        if (why)
            printf("     ^ UNSUPPORTED: %s\n", why);
    }
    totals s = compute_totals(m);
    printf("\ntotals  %d layers, %" PRIu64 " parameters (%" PRIu64 " weight bytes), %" PRIu64
           " MACs\n", m->n_ops, s.params, s.weight_bytes, s.macs);
    if (s.largest_t >= 0)
        printf("        largest activation %" PRIu64 " bytes ('%.60s%s')\n", s.largest,
               m->tensors[s.largest_t].name,
               strlen(m->tensors[s.largest_t].name) > 60 ? "..." : "");
    printf("\n");
    print_io(m, "inputs", m->inputs, m->n_inputs);
    print_io(m, "outputs", m->outputs, m->n_outputs);
    if (vrc == NEURIO_OK)
        printf("\nstatus  ok: neurio can import and run this model\n");
    else
        printf("\nstatus  %s: %s\n", vrc == NEURIO_ERR_UNSUPPORTED ? "UNSUPPORTED" : "INVALID",
               vmsg);
}

/* --- JSON output -------------------------------------------------------------- */

static cJSON *json_shape(const neurio_tensor *t)
{
    return cJSON_CreateIntArray(t->dims, t->rank);
}

static cJSON *json_tensor(const neurio_model *m, int32_t idx)
{
    const neurio_tensor *t = tensor_or_null(m, idx);
    cJSON *o = cJSON_CreateObject();
    if (!o || !t)
        return o;
    cJSON_AddNumberToObject(o, "index", idx);
    cJSON_AddStringToObject(o, "name", t->name);
    cJSON_AddStringToObject(o, "dtype", neurio_dtype_name(t->dtype));
    cJSON_AddItemToObject(o, "shape", json_shape(t));
    cJSON_AddBoolToObject(o, "constant", t->data != NULL);
    if (t->quant.count > 0) {
        cJSON *q = cJSON_AddObjectToObject(o, "quant");
        cJSON *sc = cJSON_AddArrayToObject(q, "scale");
        cJSON *zp = cJSON_AddArrayToObject(q, "zero_point");
        for (int32_t k = 0; k < t->quant.count; k++) {
            cJSON_AddItemToArray(sc, cJSON_CreateNumber((double)t->quant.scale[k]));
            cJSON_AddItemToArray(zp, cJSON_CreateNumber(t->quant.zero_point[k]));
        }
        cJSON_AddNumberToObject(q, "axis", t->quant.axis);
    }
    return o;
}

static char *build_json(const neurio_model *m, const char *path, int vrc, const char *vmsg)
{
    char hex[65];
    neurio_model_sha256_hex(m, hex);
    cJSON *root = cJSON_CreateObject();
    if (!root)
        return NULL;
    cJSON_AddStringToObject(root, "model", m->name);
    cJSON_AddStringToObject(root, "format", m->format);
    cJSON_AddStringToObject(root, "path", path);
    cJSON_AddStringToObject(root, "description", m->description ? m->description : "");
    cJSON_AddStringToObject(root, "sha256", hex);
    cJSON_AddStringToObject(root, "mac_convention",
                            "one multiply-accumulate per weight use in CONV_2D, "
                            "DEPTHWISE_CONV_2D, FULLY_CONNECTED and MATMUL; other ops 0");
    cJSON *layers = cJSON_AddArrayToObject(root, "layers");
    for (int32_t i = 0; i < m->n_ops; i++) {
        const neurio_op *op = &m->ops[i];
        cJSON *l = cJSON_CreateObject();
        char ps[96];
        fmt_params(m, op, ps, sizeof ps);
        cJSON_AddNumberToObject(l, "index", i);
        cJSON_AddStringToObject(l, "op", neurio_op_name(op->kind));
        cJSON *ins = cJSON_AddArrayToObject(l, "inputs");
        for (int32_t k = 0; k < op->n_inputs; k++)
            cJSON_AddItemToArray(ins, op->inputs[k] >= 0 ? json_tensor(m, op->inputs[k])
                                                         : cJSON_CreateNull());
        cJSON *outs = cJSON_AddArrayToObject(l, "outputs");
        for (int32_t k = 0; k < op->n_outputs; k++)
            cJSON_AddItemToArray(outs, json_tensor(m, op->outputs[k]));
        cJSON_AddStringToObject(l, "attributes", ps);
        cJSON_AddNumberToObject(l, "params", (double)op_params(m, op));
        cJSON_AddNumberToObject(l, "macs", (double)neurio_op_macs(m, op));
        const char *why = op_problem(m, op);
        cJSON_AddBoolToObject(l, "supported", why == NULL);
        if (why)
            cJSON_AddStringToObject(l, "unsupported_reason", why);
        cJSON_AddItemToArray(layers, l);
    }
    totals s = compute_totals(m);
    cJSON *t = cJSON_AddObjectToObject(root, "totals");
    cJSON_AddNumberToObject(t, "layers", m->n_ops);
    cJSON_AddNumberToObject(t, "params", (double)s.params);
    cJSON_AddNumberToObject(t, "weight_bytes", (double)s.weight_bytes);
    cJSON_AddNumberToObject(t, "macs", (double)s.macs);
    cJSON_AddNumberToObject(t, "largest_activation_bytes", (double)s.largest);
    cJSON_AddStringToObject(t, "largest_activation_tensor",
                            s.largest_t >= 0 ? m->tensors[s.largest_t].name : "");
    cJSON *gi = cJSON_AddArrayToObject(root, "inputs");
    for (int32_t i = 0; i < m->n_inputs; i++)
        cJSON_AddItemToArray(gi, json_tensor(m, m->inputs[i]));
    cJSON *go = cJSON_AddArrayToObject(root, "outputs");
    for (int32_t i = 0; i < m->n_outputs; i++)
        cJSON_AddItemToArray(go, json_tensor(m, m->outputs[i]));
    cJSON_AddBoolToObject(root, "supported", vrc == NEURIO_OK);
    if (vrc != NEURIO_OK)
        cJSON_AddStringToObject(root, "error", vmsg);
    char *txt = cJSON_Print(root);
    cJSON_Delete(root);
    return txt;
}

/* Whether every op x dtype of m (optimized as `run` would) has a kernel:
 * NEURIO_OK, or NEURIO_ERR_UNSUPPORTED with the list (neurio_codegen_check_all). */
static int deploy_check(const neurio_model *m, neurio_errbuf *err)
{
    neurio_model *c = neurio_model_clone(m);
    if (!c)
        return neurio_fail(err, NEURIO_ERR_NOMEM, "out of memory");
    int rc = neurio_optimize(c, err) ? NEURIO_ERR_UNSUPPORTED : neurio_codegen_check_all(c, err);
    neurio_model_free(c);
    return rc;
}

/* Import without validating, so an unsupported-but-readable model can still
 * be shown. */
static int import_model(const char *path, neurio_model **m, neurio_errbuf *err)
{
    unsigned char head[8] = { 0 };
    FILE *f = fopen(path, "rb");
    if (f) {
        size_t got = fread(head, 1, sizeof head, f);
        (void)got;
        fclose(f);
    }
    int rc;
    size_t n = strlen(path);
    if (!memcmp(head + 4, "TFL3", 4))
        rc = neurio_tflite_load(path, m, err);
    else if (n > 5 && !strcmp(path + n - 5, ".onnx"))
        rc = neurio_onnx_load(path, m, err);
    else
        return neurio_model_load(path, m, err); /* names the format problem */
    if (rc == NEURIO_OK && (rc = neurio_model_escape_strings(*m)) != NEURIO_OK) {
        neurio_model_free(*m);
        *m = NULL;
        return neurio_fail(err, rc, "%s: out of memory", path);
    }
    return rc;
}

/* A TFLite model neurio cannot import: still list its operators, each
 * flagged supported or not, so the user sees everything to replace at once. */
static void list_unsupported(const char *path, int json, const char *why)
{
    size_t len = 0;
    uint8_t *buf = NULL;
    FILE *f = fopen(path, "rb");
    if (!f)
        return;
    if (fseek(f, 0, SEEK_END) == 0) {
        long sz = ftell(f);
        if (sz > 0 && fseek(f, 0, SEEK_SET) == 0 && (buf = malloc((size_t)sz)) != NULL)
            len = fread(buf, 1, (size_t)sz, f);
    }
    fclose(f);
    neurio_tflite_op_info *ops = NULL;
    int32_t n = 0;
    neurio_errbuf e;
    if (!buf || len < 8 || memcmp(buf + 4, "TFL3", 4) != 0 ||
        neurio_tflite_list_ops(buf, len, &ops, &n, &e) != NEURIO_OK) {
        free(buf);
        return;
    }
    free(buf);
    if (json) {
        cJSON *root = cJSON_CreateObject();
        cJSON_AddStringToObject(root, "path", path);
        cJSON_AddBoolToObject(root, "supported", 0);
        cJSON_AddStringToObject(root, "error", why);
        cJSON *arr = cJSON_AddArrayToObject(root, "operators");
        for (int32_t i = 0; i < n; i++) {
            cJSON *o = cJSON_CreateObject();
            cJSON_AddNumberToObject(o, "index", ops[i].index);
            cJSON_AddStringToObject(o, "op", ops[i].name);
            cJSON_AddNumberToObject(o, "builtin_code", ops[i].builtin);
            cJSON_AddBoolToObject(o, "supported", ops[i].supported != 0);
            cJSON_AddItemToArray(arr, o);
        }
        char *txt = cJSON_Print(root);
        if (txt)
            printf("%s\n", txt);
        free(txt);
        cJSON_Delete(root);
    } else {
        printf("model   %s: cannot be imported; its operators:\n\n", path);
        printf("%4s  %-32s %s\n", "#", "op", "");
        for (int32_t i = 0; i < n; i++) {
            char safe[256]; /* custom op names come from the file */
            neurio_escape_controls(safe, sizeof safe, ops[i].name);
            printf("%4d  %-32s %s\n", ops[i].index, safe, ops[i].supported ? "" : "UNSUPPORTED");
        }
        printf("\n");
    }
    free(ops);
}

int nr_cmd_inspect(int argc, char **argv)
{
    const char *path = NULL;
    int json = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            inspect_help();
            return NR_EXIT_OK;
        } else if (!strcmp(a, "--json")) {
            json = 1;
        } else if (a[0] == '-') {
            fprintf(stderr, "neurio inspect: unknown option '%s'; see `neurio inspect --help`\n", a);
            return NR_EXIT_USAGE;
        } else if (!path) {
            path = a;
        } else {
            fprintf(stderr, "neurio inspect: unexpected argument '%s' (one MODEL only)\n", a);
            return NR_EXIT_USAGE;
        }
    }
    if (!path) {
        fprintf(stderr, "neurio inspect: MODEL is required; usage: neurio inspect MODEL [--json]\n");
        return NR_EXIT_USAGE;
    }
    neurio_model *m = NULL;
    neurio_errbuf err = { { 0 } };
    int rc = import_model(path, &m, &err);
    if (rc != NEURIO_OK) {
        if (rc == NEURIO_ERR_UNSUPPORTED)
            list_unsupported(path, json, err.msg);
        fprintf(stderr, "neurio inspect: %s\n", err.msg);
        return rc == NEURIO_ERR_NOMEM ? NR_EXIT_FAILURE : NR_EXIT_MODEL;
    }
    neurio_errbuf verr = { { 0 } };
    int vrc = neurio_model_validate(m, &verr);
    if (vrc == NEURIO_OK) /* an Inf weight is no runnable model either */
        vrc = neurio_model_check_finite(m, &verr);
    if (vrc == NEURIO_OK) /* every op x dtype needs a kernel, before anything is built */
        vrc = deploy_check(m, &verr);
    int code = vrc == NEURIO_OK ? NR_EXIT_OK : NR_EXIT_MODEL;
    if (json) {
        char *txt = build_json(m, path, vrc, verr.msg);
        if (!txt) {
            fprintf(stderr, "neurio inspect: out of memory building JSON\n");
            code = NR_EXIT_FAILURE;
        } else {
            printf("%s\n", txt);
            free(txt);
        }
    } else {
        print_text(m, path, vrc, verr.msg);
    }
    neurio_model_free(m);
    return code;
}
