"""One local[2] SparkSession for every Spark test (loopback only, no UI, two shuffle partitions)."""

import os
import shutil
import sys

import pytest


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "spark_session" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.spark)


@pytest.fixture(scope="session")
def spark_session():
    pytest.importorskip("pyspark", reason="pyspark is not installed (pip install unspin[spark]; `make test` does)")
    if not (shutil.which("java") or os.environ.get("JAVA_HOME")):
        pytest.skip("no Java runtime (apt-get install openjdk-17-jre-headless; `make test` does)")
    os.environ["SPARK_LOCAL_IP"] = "127.0.0.1"
    os.environ["PYSPARK_PYTHON"] = sys.executable
    # the workers import unspin and these tests' modules from the same places as this process
    os.environ["PYTHONPATH"] = os.pathsep.join(p for p in sys.path if p)
    from pyspark import cloudpickle

    import fakes

    cloudpickle.register_pickle_by_value(fakes)
    from unspin.engines.spark import spark_session as start

    spark = start("local[2]", "unspin-tests", {
        "spark.sql.shuffle.partitions": "2",
        "spark.default.parallelism": "2",
        "spark.driver.memory": "1g",
        "spark.sql.execution.arrow.pyspark.enabled": "true",
    })
    spark.sparkContext.setLogLevel("ERROR")
    yield spark
    spark.stop()
