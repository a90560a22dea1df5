"""Launching SparkleRL training on verl: stage configs, pre-launch checks, resume guard, CLI."""
