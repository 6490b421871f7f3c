#!/usr/bin/env python3
"""The peer of `mrs-watchdog-bench scale`: what an operator would otherwise write — a loop over the official
Huawei Cloud Python SDK (huaweicloudsdkmrs) that lists every cluster's RUNNING jobs page by page, kills those
over a runtime limit, and reads each killed job until it has ended. It does the same work as one cycle of
`mrs-watchdog run --once` against the same mrs-emulator, so CPU time and peak RSS can be compared in one run.

Usage: sdk_peer.py ENDPOINT PROJECT_ID LIMIT_SECONDS KILL(0|1) CLUSTER_ID...
The access key pair comes from HUAWEICLOUD_SDK_AK / HUAWEICLOUD_SDK_SK. Prints one JSON line with counts.
"""
import json
import os
import sys
import time

from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.http.http_config import HttpConfig
from huaweicloudsdkmrs.v2 import MrsClient, ShowJobExeListNewRequest, ShowSingleJobExeRequest, StopJobRequest

TERMINAL = {"FINISHED", "FAILED", "KILLED"}


def main():
    endpoint, project, limit, kill, clusters = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4] == "1", sys.argv[5:]
    config = HttpConfig.get_default_config()
    config.ignore_ssl_verification = True
    client = (
        MrsClient.new_builder()
        .with_credentials(BasicCredentials(os.environ["HUAWEICLOUD_SDK_AK"], os.environ["HUAWEICLOUD_SDK_SK"], project))
        .with_endpoints([endpoint])
        .with_http_config(config)
        .build()
    )
    now_ms = int(time.time() * 1000)
    listed, due = 0, []
    for cluster in clusters:
        page = 1
        while True:
            response = client.show_job_exe_list_new(
                ShowJobExeListNewRequest(cluster_id=cluster, job_state="RUNNING", limit="100", offset=str(page)))
            jobs = response.job_list or []
            listed += len(jobs)
            for job in jobs:
                started = int(job.started_time or 0)
                if job.job_state == "RUNNING" and started > 0 and now_ms - started > limit * 1000:
                    due.append((cluster, job.job_id))
            if len(jobs) < 100 or (response.total_record is not None and page * 100 >= int(response.total_record)):
                break
            page += 1
    killed = confirmed = 0
    if kill:
        for cluster, job_id in due:
            client.stop_job(StopJobRequest(cluster_id=cluster, job_execution_id=job_id))
            killed += 1
        for cluster, job_id in due:
            for _ in range(60):
                detail = client.show_single_job_exe(ShowSingleJobExeRequest(cluster_id=cluster, job_execution_id=job_id))
                if detail.job_detail.job_state in TERMINAL:
                    confirmed += 1
                    break
                time.sleep(1)
    print(json.dumps({"listed": listed, "due": len(due), "killed": killed, "confirmed": confirmed}))


if __name__ == "__main__":
    main()
