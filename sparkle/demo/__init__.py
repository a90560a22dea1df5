"""The CPU miniature of the SPARKLE recipe (`sparkle demo`): a procedural task, a tiny model, both stages."""
