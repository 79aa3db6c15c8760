// Composition root for the inventory service; filled in by its own issue.
export {};
