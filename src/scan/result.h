/* SPDX-License-Identifier: Apache-2.0 */
/* The report model moved to src/model: include "model/report.h". */
#include "model/report.h"
