// Interrupt wiring between board devices: a device drives a level on a line; whoever the board
// connects (the PLIC for device sources, the hart's mip bits for CLINT/PLIC outputs) receives it.
// Owns only the callback shape, so devices never import the CPU (DESIGN.md layer table).

/** A level-triggered interrupt line: called with the new level whenever a device re-evaluates it. */
export type IrqLine = (level: boolean) => void;

/** A line that goes nowhere (a device built without wiring, e.g. in a unit test). */
export const NO_IRQ: IrqLine = () => {};
