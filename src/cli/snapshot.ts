// The V8 start-up snapshot's entry (scripts/bundle-cli.mjs bundles it into one CommonJS file and
// runs `node --build-snapshot` on it; dist/bin/cxlemu starts node from the resulting blob). Node
// then begins with this module graph already evaluated: commander and the commands, the machine
// description's zod schemas with their validators generated (by validating the default machine
// once, here), and the machine builder. `cxlemu list` took 215 ms (median; node -e 0: 70 ms), most
// of it compiling and evaluating those modules (docs/development.md "Start-up").
//
// Nothing here may capture the environment, the working directory, the command line or the time:
// they are read again when the snapshot starts (only the modules below are evaluated now; the CPU,
// the board and the server load on demand as always).
import v8 from 'node:v8';
import { runAsProcess } from './main.js';
import './load.js';
import '../machine/build.js';
import { defaultDescription } from '../machine/default-machine.js';

defaultDescription();

// Started from the blob there is no script: the command line begins at argv[1].
v8.startupSnapshot.setDeserializeMainFunction(() => runAsProcess(process.argv.slice(1)));
