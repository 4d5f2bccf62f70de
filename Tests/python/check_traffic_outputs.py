"""traffic-evaluate and traffic-forecast outputs opened with xarray, and the traffic notebook run on
them: the persistence scores equal the independent NumPy numbers of Data/traffic/los-loop/SOURCE.md,
the per-sensor errors average to the overall ones, and the persistence forecast from one origin is the
reading the next-earlier origin saw one step ahead; the quick GRAM-ODE training lowered its loss and
its saved best weights score the training run's test numbers again. Usage: check_traffic_outputs.py
EVALUATE_RUN FORECAST_RUN EXECUTED_NOTEBOOK FIGURE [TRAIN_RUN TRAINED_EVALUATE_RUN]"""
import json
import sys
from pathlib import Path

import numpy as np
import xarray as xr

from checks import check, check_notebook, finish

evaluate_run, forecast_run, notebook, figure = map(Path, sys.argv[1:5])
ev = xr.open_dataset(evaluate_run / "output.nc")
check("evaluation has mae, rmse, mape over horizon (minutes 5..60)", list(ev.horizon.values) == [5.0 * k for k in range(1, 13)])
check("persistence averaged MAE / RMSE / MAPE equal SOURCE.md's 4.4278 / 8.4462 / 11.472 %",
      abs(ev.attrs["mae_all_horizons"] - 4.4278) < 5e-5 and abs(ev.attrs["rmse_all_horizons"] - 8.4462) < 5e-5
      and abs(ev.attrs["mape_all_horizons"] - 11.472) < 5e-4,
      (ev.attrs["mae_all_horizons"], ev.attrs["rmse_all_horizons"], ev.attrs["mape_all_horizons"]))
check("60-minute MAE / RMSE equal SOURCE.md's 5.7953 / 10.8956",
      abs(float(ev.mae[-1]) - 5.7953) < 5e-5 and abs(float(ev.rmse[-1]) - 10.8956) < 5e-5, (float(ev.mae[-1]), float(ev.rmse[-1])))
check("the sensors' MAEs average to the overall MAE at every horizon",
      np.allclose(ev.sensor_mae.mean("sensor").values, ev.mae.values, rtol=0, atol=1e-10))
check("sensor errors carry latitude and longitude", "latitude" in ev.sensor_mae.coords and float(ev.latitude.min()) > 33)

fc = xr.open_dataset(forecast_run / "output.nc")
check("forecast is (time, sensor, horizon) with decoded CF times", fc.forecast.dims == ("time", "sensor", "horizon")
      and np.issubdtype(fc.time.dtype, np.datetime64), (fc.forecast.dims, fc.time.dtype))
check("first origin is 2012-03-07 05:00", str(fc.time.values[0]).startswith("2012-03-07T05:00"), fc.time.values[0])
f, t = fc.forecast.values, fc.truth.values
check("persistence from origin o is what origin o-1 observed one step ahead, at every lead",
      all(np.array_equal(f[o, :, k], t[o - 1, :, 0]) for o in range(1, f.shape[0]) for k in range(f.shape[2])))
check_notebook(notebook, figure)
if len(sys.argv) > 6:
    train_run, trained_evaluation = Path(sys.argv[5]), Path(sys.argv[6])
    tr = xr.open_dataset(train_run / "output.nc")
    loss = tr.training_loss.values
    check("quick GRAM-ODE training: the epoch loss falls", len(loss) >= 2 and loss[-1] < loss[0], loss)
    check("the model file holds its configuration, scaler and both graphs",
          "model_configuration" in tr.attrs and "scaler_mean" in tr.attrs and "spatial_graph" in tr and "semantic_graph" in tr)
    stats = json.loads((train_run / "run.json").read_text())["statistics"]
    te = xr.open_dataset(trained_evaluation / "output.nc")
    check("traffic-evaluate of the saved best weights gives the training run's test MAE",
          abs(te.attrs["mae_all_horizons"] - stats["test_mae"]) <= 1e-6 * stats["test_mae"], (te.attrs["mae_all_horizons"], stats["test_mae"]))
    check("the trained model's per-sensor map covers the 32 sensors", te.sensor_mae.shape == (12, 32), te.sensor_mae.shape)
finish("traffic outputs")
