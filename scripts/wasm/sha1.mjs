/**
 * The WebAssembly text of SHA-1 compression (FIPS 180-4 §6.1.2) and HMAC-SHA1 (RFC 2104) over precomputed
 * key states, used by packages/rtp/src/srtp/hmacSha1.ts; scripts/build-wasm.mjs compiles it. The 80
 * rounds are unrolled here with the five working variables renamed each round instead of shifted, and the
 * message schedule kept in 16 locals (W[t] overwrites W[t - 16]): written as a loop, V8's compiler keeps the
 * schedule in memory and moves the variables every round, ~2.5× slower.
 */

const K = ['0x5a827999', '0x6ed9eba1', '0x8f1bbcdc', '0xca62c1d6'];
const get = (name) => `(local.get $${name})`;
/** The byte swap of `x` (evaluated twice: a local), for big-endian words (WebAssembly has no byte swap). */
const bswap = (x) =>
  `(i32.or (i32.and (i32.rotl ${x} (i32.const 8)) (i32.const 0x00ff00ff)) ` +
  `(i32.and (i32.rotr ${x} (i32.const 8)) (i32.const 0xff00ff00)))`;

/** The 80 rounds over one block at $p, on the working variables $a..$e. */
function rounds() {
  const lines = [];
  const vars = ['a', 'b', 'c', 'd', 'e'];
  for (let t = 0; t < 80; t++) {
    // Round t's a, b, c, d, e: after each round the new a is the old e's local, and b's local holds rotl30(b).
    const [a, b, c, d, e] = vars.map((_, k) => vars[(k - (t % 5) + 5) % 5]);
    const w = `w${t % 16}`;
    if (t < 16) {
      lines.push(`(local.set $${w} (i32.load offset=${t * 4} (local.get $p)))`);
      lines.push(`(local.set $${w} ${bswap(get(w))})`);
    } else {
      const x = `(i32.xor (i32.xor ${get(`w${(t - 3) % 16}`)} ${get(`w${(t - 8) % 16}`)}) (i32.xor ${get(`w${(t - 14) % 16}`)} ${get(w)}))`;
      lines.push(`(local.set $${w} (i32.rotl ${x} (i32.const 1)))`);
    }
    let f;
    if (t < 20) f = `(i32.xor ${get(d)} (i32.and ${get(b)} (i32.xor ${get(c)} ${get(d)})))`;
    else if (t >= 40 && t < 60)
      f = `(i32.or (i32.and ${get(b)} ${get(c)}) (i32.and ${get(d)} (i32.or ${get(b)} ${get(c)})))`;
    else f = `(i32.xor ${get(b)} (i32.xor ${get(c)} ${get(d)}))`;
    const sum = `(i32.add (i32.add (i32.rotl ${get(a)} (i32.const 5)) ${f}) (i32.add (i32.add ${get(e)} ${get(w)}) (i32.const ${K[Math.floor(t / 20)]})))`;
    lines.push(`(local.set $${e} ${sum})`);
    lines.push(`(local.set $${b} (i32.rotl ${get(b)} (i32.const 30)))`);
  }
  return lines.map((l) => `        ${l}`).join('\n');
}

const schedule = Array.from({ length: 16 }, (_, i) => `(local $w${i} i32)`).join(' ');
const words = ['a', 'b', 'c', 'd', 'e'];

/** The module's text. */
export function wat() {
  return `;; SHA-1 compression (FIPS 180-4 §6.1.2) and HMAC-SHA1 (RFC 2104) over precomputed key states, for
;; packages/rtp/src/srtp/hmacSha1.ts. Written by scripts/wasm/sha1.mjs, which unrolls the 80 rounds.
;;
;; Memory (2 pages, grown by the host as it adds keys), byte offsets:
;;     0   inner state: SHA-1 state after the key XOR ipad block (5 words, host order), copied from the key's slot
;;    20   outer state: after the key XOR opad block, copied from the key's slot
;;    40   the MAC, 20 bytes big-endian (the host reads the first 4–20)
;;   384   the outer hash's one block: the inner digest (20 bytes), then its fixed padding (data below)
;;   512   the message, then room for its padding (up to 65536 + 4 + 72 bytes)
;; 66560   the keys' slots, 40 bytes each: inner then outer state, written once by the host
;; The states at 0 and 20 are overwritten by each call.
(module
  (memory (export "memory") 2)
  ;; Outer block padding: 0x80 after the 20-byte digest, and the bit length of ipad block + digest
  ;; ((64 + 20) * 8 = 672 = 0x02a0) big-endian in the last bytes.
  (data (i32.const 404) "\\80")
  (data (i32.const 446) "\\02\\a0")

  ;; Compresses the \`n\` 64-byte blocks at \`p\` into the state at \`s\`. After 80 rounds (a multiple of
  ;; 5) the renamed variables are back in their places.
  (func $compress (export "compress") (param $s i32) (param $p i32) (param $n i32)
    (local $a i32) (local $b i32) (local $c i32) (local $d i32) (local $e i32)
    ${schedule}
    (block $done
      (loop $block
        (br_if $done (i32.eqz (local.get $n)))
${words.map((v, i) => `        (local.set $${v} (i32.load offset=${i * 4} (local.get $s)))`).join('\n')}
${rounds()}
${words.map((v, i) => `        (i32.store offset=${i * 4} (local.get $s) (i32.add (i32.load offset=${i * 4} (local.get $s)) ${get(v)}))`).join('\n')}
        (local.set $p (i32.add (local.get $p) (i32.const 64)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $block))))

  ;; Stores the 5 state words at \`from\` as 20 big-endian bytes at \`to\`.
  (func $digest (param $from i32) (param $to i32)
    (local $i i32) (local $x i32)
    (loop $word
      (local.set $x (i32.load (i32.add (local.get $from) (local.get $i))))
      (i32.store (i32.add (local.get $to) (local.get $i))
        (i32.or
          (i32.and (i32.rotl (local.get $x) (i32.const 8)) (i32.const 0x00ff00ff))
          (i32.and (i32.rotr (local.get $x) (i32.const 8)) (i32.const 0xff00ff00))))
      (local.set $i (i32.add (local.get $i) (i32.const 4)))
      (br_if $word (i32.lt_u (local.get $i) (i32.const 20)))))

  ;; HMAC-SHA1 of the \`length\` message bytes at 512 with the key whose slot is at \`key\`: the MAC at 40.
  (func (export "mac") (param $length i32) (param $key i32)
    (local $end i32) (local $blocks i32) (local $last i32)
    (memory.copy (i32.const 0) (local.get $key) (i32.const 40))
    ;; The inner hash's padding (FIPS 180-4 §5.1.1): 0x80, zeros, then the bit length of ipad block +
    ;; message as a 64-bit big-endian number (its high word is 0: the message is under 2^29 bytes).
    (local.set $end (i32.add (i32.const 512) (local.get $length)))
    (local.set $blocks (i32.shr_u (i32.add (local.get $length) (i32.const 72)) (i32.const 6)))
    (local.set $last (i32.add (i32.const 512) (i32.shl (local.get $blocks) (i32.const 6))))
    (i32.store8 (local.get $end) (i32.const 0x80))
    (memory.fill
      (i32.add (local.get $end) (i32.const 1))
      (i32.const 0)
      (i32.sub (i32.sub (local.get $last) (i32.const 4)) (i32.add (local.get $end) (i32.const 1))))
    (local.set $end (i32.shl (i32.add (local.get $length) (i32.const 64)) (i32.const 3)))
    (i32.store offset=0 (i32.sub (local.get $last) (i32.const 4))
      (i32.or
        (i32.and (i32.rotl (local.get $end) (i32.const 8)) (i32.const 0x00ff00ff))
        (i32.and (i32.rotr (local.get $end) (i32.const 8)) (i32.const 0xff00ff00))))
    (call $compress (i32.const 0) (i32.const 512) (local.get $blocks))
    ;; Outer hash: one block, the inner digest then the fixed padding.
    (call $digest (i32.const 0) (i32.const 384))
    (call $compress (i32.const 20) (i32.const 384) (i32.const 1))
    (call $digest (i32.const 20) (i32.const 40))))
`;
}
