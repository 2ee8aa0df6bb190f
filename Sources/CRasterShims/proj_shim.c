#include "RasterShims.h"

#include <math.h>
#include <proj.h>
#include <proj_experimental.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

// PROJ logs to stderr by default; route its messages into the caller's buffer instead.
typedef struct {
    char *message;
} proj_log_sink;

static void proj_log_to_sink(void *data, int level, const char *text) {
    proj_log_sink *sink = data;
    if (level == PJ_LOG_ERROR && sink && sink->message && sink->message[0] == '\0')
        snprintf(sink->message, SW_MESSAGE_CAPACITY, "%s", text);
}

static PJ_CONTEXT *quiet_context(proj_log_sink *sink) {
    PJ_CONTEXT *ctx = proj_context_create();
    if (ctx) proj_log_func(ctx, sink, proj_log_to_sink);
    return ctx;
}

struct sw_proj {
    PJ_CONTEXT *ctx;
    PJ *pj;
    proj_log_sink sink;
    char message[SW_MESSAGE_CAPACITY];
};

sw_proj *sw_proj_create(const char *source, const char *target, char message[SW_MESSAGE_CAPACITY]) {
    message[0] = '\0';
    struct sw_proj *p = calloc(1, sizeof *p);
    if (!p) {
        snprintf(message, SW_MESSAGE_CAPACITY, "out of memory");
        return NULL;
    }
    p->sink.message = p->message;
    p->ctx = quiet_context(&p->sink);
    PJ *raw = p->ctx ? proj_create_crs_to_crs(p->ctx, source, target, NULL) : NULL;
    if (raw) {
        // EPSG:4326 is latitude-first; normalising makes every CRS x = east, y = north.
        p->pj = proj_normalize_for_visualization(p->ctx, raw);
        proj_destroy(raw);
    }
    if (!p->pj) {
        snprintf(message, SW_MESSAGE_CAPACITY, "%s", p->message[0] ? p->message : "no transformation found");
        if (p->ctx) proj_context_destroy(p->ctx);
        free(p);
        return NULL;
    }
    return p;
}

void sw_proj_destroy(sw_proj *p) {
    if (!p) return;
    proj_destroy(p->pj);
    proj_context_destroy(p->ctx);
    free(p);
}

size_t sw_proj_transform(sw_proj *p, int inverse, double *x, double *y, size_t count) {
    proj_trans_generic(p->pj, inverse ? PJ_INV : PJ_FWD, x, sizeof(double), count, y, sizeof(double), count,
                       NULL, 0, 0, NULL, 0, 0);
    size_t failed = 0;
    for (size_t i = 0; i < count; i++) {
        if (!isfinite(x[i]) || !isfinite(y[i])) {
            x[i] = y[i] = HUGE_VAL;
            failed++;
        }
    }
    return failed;
}

/// The EPSG code of an object from the database, following deprecation to the successor.
static int epsg_code_of(PJ_CONTEXT *ctx, PJ *crs) {
    PJ *current = crs;
    PJ_OBJ_LIST *successors = NULL;
    if (proj_is_deprecated(crs)) {
        successors = proj_get_non_deprecated(ctx, crs);
        if (successors && proj_list_get_count(successors) == 1) current = proj_list_get(ctx, successors, 0);
    }
    const char *authority = proj_get_id_auth_name(current, 0);
    const char *code = proj_get_id_code(current, 0);
    int result = (authority && code && strcmp(authority, "EPSG") == 0) ? atoi(code) : 0;
    if (current != crs) proj_destroy(current);
    if (successors) proj_list_destroy(successors);
    return result;
}

static int is_epsg(PJ *object) {
    const char *authority = proj_get_id_auth_name(object, 0);
    return authority && strcmp(authority, "EPSG") == 0;
}

/// GDAL's identification (OGRSpatialReference::FindMatches): proj_identify against every
/// authority in PROJ's database, not only EPSG, so that an exact match elsewhere outranks a
/// merely equivalent EPSG CRS: "USA_Contiguous_Albers_Equal_Area_Conic_USGS_version" is
/// ESRI:102039 at 100 %, not EPSG:5070 at 70 %. The result is the EPSG code of the best match
/// if exactly one of the matches with the best confidence is EPSG's, else 0. A best match in
/// another authority gives 0 (the caller's CRS carries EPSG codes, and "EPSG:102039" would
/// resolve to nothing). The code is the match's own even when deprecated: identification found
/// that very CRS, and its successor may differ (EPSG:3410 on a sphere, EPSG:6933 on WGS 84).
static int identify_code(PJ_CONTEXT *ctx, PJ *crs, int min_confidence) {
    int *confidence = NULL;
    PJ_OBJ_LIST *matches = proj_identify(ctx, crs, NULL, NULL, &confidence);
    int count = matches ? proj_list_get_count(matches) : 0;
    int epsg_count = 0, epsg_code = 0;
    // PROJ sorts matches by decreasing confidence.
    for (int i = 0; i < count && confidence[0] >= min_confidence && confidence[i] == confidence[0]; i++) {
        PJ *match = proj_list_get(ctx, matches, i);
        if (match && is_epsg(match)) {
            const char *code = proj_get_id_code(match, 0);
            epsg_count++;
            epsg_code = code ? atoi(code) : 0;
        }
        if (match) proj_destroy(match);
    }
    proj_int_list_destroy(confidence);
    if (matches) proj_list_destroy(matches);
    return epsg_count == 1 ? epsg_code : 0;
}

int sw_proj_identify_epsg(const char *definition, int min_confidence, char message[SW_MESSAGE_CAPACITY]) {
    message[0] = '\0';
    proj_log_sink sink = {message};
    PJ_CONTEXT *ctx = quiet_context(&sink);
    if (!ctx) return -1;
    PJ *crs = proj_create(ctx, definition);
    if (!crs) {
        if (!message[0]) snprintf(message, SW_MESSAGE_CAPACITY, "PROJ cannot parse the CRS definition");
        proj_context_destroy(ctx);
        return -1;
    }
    int result = 0;
    if (proj_get_id_auth_name(crs, 0)) {
        // "EPSG:n" and definitions that carry their own ID: the code, deprecation followed.
        result = epsg_code_of(ctx, crs);
    } else {
        // A TOWGS84 clause makes a BoundCRS, which matches nothing in the database: identify
        // the CRS it is bound from, as GDAL does.
        PJ *source = proj_get_type(crs) == PJ_TYPE_BOUND_CRS ? proj_get_source_crs(ctx, crs) : NULL;
        result = identify_code(ctx, source ? source : crs, min_confidence);
        if (source) proj_destroy(source);
    }
    proj_destroy(crs);
    proj_context_destroy(ctx);
    return result;
}

static PJ *crs_from_epsg(PJ_CONTEXT *ctx, int code) {
    char text[32];
    snprintf(text, sizeof text, "%d", code);
    return proj_create_from_database(ctx, "EPSG", text, PJ_CATEGORY_CRS, 0, NULL);
}

int sw_proj_describe_epsg(int code, char name[SW_MESSAGE_CAPACITY]) {
    char ignored[SW_MESSAGE_CAPACITY] = "";
    proj_log_sink sink = {ignored};
    PJ_CONTEXT *ctx = quiet_context(&sink);
    if (!ctx) return 0;
    PJ *crs = crs_from_epsg(ctx, code);
    int kind = 0;
    name[0] = '\0';
    if (crs) {
        const char *text = proj_get_name(crs);
        snprintf(name, SW_MESSAGE_CAPACITY, "%s", text ? text : "");
        PJ_TYPE type = proj_get_type(crs);
        kind = (type == PJ_TYPE_GEOGRAPHIC_2D_CRS || type == PJ_TYPE_GEOGRAPHIC_3D_CRS) ? 1
               : (type == PJ_TYPE_PROJECTED_CRS) ? 2 : 3;
        proj_destroy(crs);
    }
    proj_context_destroy(ctx);
    return kind;
}

double sw_proj_linear_unit_meters(int code) {
    char ignored[SW_MESSAGE_CAPACITY] = "";
    proj_log_sink sink = {ignored};
    PJ_CONTEXT *ctx = quiet_context(&sink);
    if (!ctx) return 0;
    double factor = 0;
    PJ *crs = crs_from_epsg(ctx, code);
    if (crs && proj_get_type(crs) == PJ_TYPE_PROJECTED_CRS) {
        PJ *cs = proj_crs_get_coordinate_system(ctx, crs);
        if (cs) {
            if (!proj_cs_get_axis_info(ctx, cs, 0, NULL, NULL, NULL, &factor, NULL, NULL, NULL)) factor = 0;
            proj_destroy(cs);
        }
    }
    if (crs) proj_destroy(crs);
    proj_context_destroy(ctx);
    return factor;
}

int sw_proj_epsg_wkt(int code, char *buffer, size_t capacity) {
    char ignored[SW_MESSAGE_CAPACITY] = "";
    proj_log_sink sink = {ignored};
    PJ_CONTEXT *ctx = quiet_context(&sink);
    if (!ctx) return 0;
    PJ *crs = crs_from_epsg(ctx, code);
    int ok = 0;
    if (crs) {
        // ESRI's WKT 1 dialect: what .prj sidecars conventionally hold.
        const char *wkt = proj_as_wkt(ctx, crs, PJ_WKT1_ESRI, NULL);
        if (wkt && strlen(wkt) < capacity) {
            strcpy(buffer, wkt);
            ok = 1;
        }
        proj_destroy(crs);
    }
    proj_context_destroy(ctx);
    return ok;
}

int sw_proj_epsg_with_linear_unit(int code, const char *unit_name, double unit_metres, char *buffer, size_t capacity) {
    char ignored[SW_MESSAGE_CAPACITY] = "";
    proj_log_sink sink = {ignored};
    PJ_CONTEXT *ctx = quiet_context(&sink);
    if (!ctx) return 0;
    int ok = 0;
    PJ *crs = crs_from_epsg(ctx, code);
    PJ *altered = crs ? proj_crs_alter_cs_linear_unit(ctx, crs, unit_name, unit_metres, NULL, NULL) : NULL;
    if (altered) {
        const char *wkt = proj_as_wkt(ctx, altered, PJ_WKT2_2019, NULL);
        if (wkt && strlen(wkt) < capacity) {
            strcpy(buffer, wkt);
            ok = 1;
        }
        proj_destroy(altered);
    }
    if (crs) proj_destroy(crs);
    proj_context_destroy(ctx);
    return ok;
}
