/* SPDX-License-Identifier: Apache-2.0 */
/* The finding model moved to src/model: include "model/finding.h". */
#include "model/finding.h"
