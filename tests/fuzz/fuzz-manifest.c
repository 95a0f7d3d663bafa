/* An appliance's manifest.json (common/manifest.c): `run` and `bench` read it from an appliance
 * that may come from elsewhere.  Promises: a manifest that parses is written back as JSON that
 * parses to the same manifest (the second writing equals the first). */
#include <config.h>

#include <string.h>

#include "fuzz.h"
#include "common/manifest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        fuzz_quiet();
        char *text = fuzz_cstring(data, size);
        struct manifest m = { 0 }, back = { 0 };
        if (manifest_from_json(text, &m) == 0) {
                char *once = NULL, *twice = NULL;
                fuzz_assert(manifest_to_json(&m, &once) == 0);
                fuzz_assert(manifest_from_json(once, &back) == 0);
                fuzz_assert(manifest_to_json(&back, &twice) == 0);
                fuzz_assert(strcmp(once, twice) == 0);
                free(once), free(twice);
                manifest_free(&back);
                manifest_free(&m);
        }
        free(text);
        return 0;
}
