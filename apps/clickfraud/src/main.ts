// Composition root for the clickfraud service; filled in by its own issue.
export {};
