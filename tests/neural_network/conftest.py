import importlib.util

# the network tests need the ``nn`` extra (torch and skorch)
if importlib.util.find_spec("torch") is None or importlib.util.find_spec("skorch") is None:
    collect_ignore_glob = ["test_*.py"]
