// Helper process for file-store.test.ts (not a test by itself; does nothing without arguments):
// opens a file-backed store, writes new contents into some pages, flushes, and SIGKILLs itself at
// the flush step named on the command line, the way a crash or power cut would stop it.
import { Arena } from '../../src/memory/arena.js';
import { FileBackedStore, type FlushStep } from '../../src/memory/file-store.js';

const [flag, path, size, pagesCsv, fillByte, step, detail] = process.argv.slice(2);
if (flag === '--crash-child') {
  const arena = new Arena({ bytes: 1 << 22 });
  const st = new FileBackedStore(arena, {
    name: 'pmem0',
    path: path!,
    size: Number(size),
    crashHook: (s: FlushStep, d: number) => {
      if (s === step && d === Number(detail)) process.kill(process.pid, 'SIGKILL');
    },
  });
  for (const p of pagesCsv!.split(',').map(Number)) st.fill(p * 4096, 4096, Number(fillByte));
  st.flush();
  process.exit(3); // only reached if the step never came
}
