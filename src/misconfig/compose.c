/* SPDX-License-Identifier: Apache-2.0 */
#include "misconfig/internal.h"

#include "core/banned.h"
