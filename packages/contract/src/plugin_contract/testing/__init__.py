"""Testing kit for plugin authors: conformance suites to run against real hosts and shells."""
