/**
 * Anansky's kernel: the public entry plugins and services import.
 * (Filled in by the event-sourcing kernel; see ../shared/DESIGN.md.)
 */
export const coreVersion = "0.1.0";
