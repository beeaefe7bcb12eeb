/* Layout of struct rt_frame (runtime.h), shared with crt0.S. */
#ifndef RT_FRAME_H
#define RT_FRAME_H
#define FRAME_EPC    (32 * 8)
#define FRAME_CAUSE  (33 * 8)
#define FRAME_TVAL   (34 * 8)
#define FRAME_STATUS (35 * 8)
#define FRAME_SIZE   (36 * 8)
#endif
