#!/bin/sh
# leanboot kernel tailor, when what keeps an option on is a chain that no one cut takes off: the
# start is base.config with the two IV generators x86_64_defconfig's networking leaves on
# (CRYPTO_SEQIV, CRYPTO_ECHAINIV).  Both select CRYPTO_RNG_DEFAULT, which selects
# CRYPTO_DRBG_MENU, inside which CRYPTO_DRBG (no prompt, "default CRYPTO_DRBG_MENU") selects
# CRYPTO_JITTERENTROPY, whose jent_mod_init is the start's dearest initcall.  Cutting either
# generator alone leaves it on; the tailor follows the chain (selectors, then a no-prompt entry's
# dependencies) and proposes both generators with the chain, as one cut, which a build drops.
# (SLUB, over the same 1 ms floor, is kept by hand: SLAB in its place recompiles most objects.)
. "$(dirname "$0")/lib.sh"
tailor_from_base "the IV generators" CONFIG_CRYPTO=y CONFIG_CRYPTO_SEQIV=y CONFIG_CRYPTO_ECHAINIV=y -- --keep SLUB --budget 2
expect_match "jitterentropy is kept by what selects it" "$err" \
    "CONFIG_CRYPTO_JITTERENTROPY +[0-9.]+ ms +kept: kconfig keeps it on: selected by CRYPTO_DRBG\(=y\)"
expect_match "the generators are proposed together, with the chain that keeps it on" "$err" \
    "CONFIG_CRYPTO_SEQIV +[0-9.]+ ms +to try; proposed as it keeps CRYPTO_JITTERENTROPY on \(through CRYPTO_RNG_DEFAULT, CRYPTO_DRBG_MENU, CRYPTO_DRBG\), with CRYPTO_ECHAINIV"
frag=$(cat "$WORK/cut.config")
for o in CRYPTO_SEQIV CRYPTO_ECHAINIV CRYPTO_DRBG_MENU CRYPTO_JITTERENTROPY; do
    expect_match "fragment: $o off" "$frag" "^# CONFIG_$o is not set$"
done
expect_match "fragment: what was cut with it is said so" "$frag" "^# cut together with it:$"
tailor_json_checks "$WORK/t.json" <<'PY'
c = o["CONFIG_CRYPTO_SEQIV"]
say("the cut carries the chain and the other generator", c["with"] == ["CONFIG_CRYPTO_JITTERENTROPY", "CONFIG_CRYPTO_DRBG",
    "CONFIG_CRYPTO_DRBG_MENU", "CONFIG_CRYPTO_RNG_DEFAULT", "CONFIG_CRYPTO_ECHAINIV"])
say("dropped by build 2, with jitterentropy's cost", c["status"] == "dropped" and c["build"] == 2
    and c["cost_ms"] == o["CONFIG_CRYPTO_JITTERENTROPY"]["cost_ms"])
say("it saved most of jitterentropy's cost", c["build_saving_ms"] > 0.8 * c["cost_ms"] > 0)
j = o["CONFIG_CRYPTO_JITTERENTROPY"]
say("jitterentropy itself is reported gone with that cut", j["status"] == "dropped" and j["build"] == 2
    and j["why"] == "off with CONFIG_CRYPTO_SEQIV")
say("neither generator alone was proposed", sum(1 for x in d["options"] if x["option"] == "CONFIG_CRYPTO_ECHAINIV") == 0)
PY
finish
