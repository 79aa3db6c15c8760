// Composition root for the profile-builder service; filled in by its own issue.
export {};
