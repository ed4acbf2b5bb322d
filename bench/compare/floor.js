// The floor of bench/compare's firing measure, run as a child process with no scheduler in it:
// at each of `seconds` whole seconds from `from`, a bare Node process calls fetch() `tasks` times
// at once against the receiver, each request stamped with its slot (`x-slot`).
//   node floor.js <receiver url> <tasks> <from ms> <seconds>
const [url, tasks, from, seconds] = process.argv.slice(2);
const count = Number(tasks);
let fired = 0;
// fetch() loads its HTTP client on first use: once, before the first slot, as any server would.
await (await fetch(url, { method: 'POST', body: '{}' })).text();
for (let s = 0; s < Number(seconds); s++) {
  const slot = Number(from) + s * 1000;
  setTimeout(() => {
    for (let i = 0; i < count; i++) {
      fetch(url, { method: 'POST', headers: { 'x-slot': String(slot) }, body: '{}' })
        .then((res) => res.text())
        .catch((error) => console.error(`floor: ${error.message}`))
        .finally(() => {
          if (++fired === count * Number(seconds)) process.exit(0);
        });
    }
  }, slot - Date.now());
}
